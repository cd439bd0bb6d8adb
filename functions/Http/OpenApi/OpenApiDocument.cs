using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Access.Sessions;

namespace Pki.Functions.Http.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document of every HTTP function, built from the functions themselves: paths and methods from their
/// triggers (as functions.metadata has them), the rest from each one's <see cref="ApiOperationAttribute"/>, and JSON
/// schemas derived from the very types the API serializes (with the API's own serializer options). A function without
/// the attribute fails the build of the document, and so its test.
/// </summary>
public static partial class OpenApiDocument
{
    private static readonly Lazy<string> Built = new(() => Build().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    private static readonly Dictionary<string, string> PathParameters = new(StringComparer.Ordinal)
    {
        ["serialNumber"] = "A certificate's serial number in hex (any case, colons allowed).",
        ["id"] = "The CA id, discovery target id or sweep id; under acme/, the account, order, authorization, challenge or certificate id (under acme/authorities/, the CA id).",
        ["type"] = "An ACME challenge's type (http-01, tls-alpn-01 or dns-01).",
        ["certId"] = "An RFC 9773 certificate identifier: the base64url authority key identifier, '.', the base64url serial.",
        ["kid"] = "An External Account Binding credential's key id.",
        ["team"] = "A team's name.",
        ["requestId"] = "The id of a request held for approval.",
        ["fingerprint"] = "The SHA-256 of the certificate's DER in hex (colons and case as you like).",
        ["request"] = "An OCSP request, DER, base64 and URL-encoded (RFC 6960 A.1).",
        ["part"] = "'delta' for the delta CRL, or a shard number.",
        ["asset"] = "A file of the dashboard (app.js, app.css); none for its page.",
    };

    /// <summary>The document as served (built once).</summary>
    public static string Text => Built.Value;

    public static JsonObject Build()
    {
        var schemaOptions = new JsonSerializerOptions(Http.Json.Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        var paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (function, methods, route, method) in HttpFunctions())
        {
            var described = method.GetCustomAttributes<ApiOperationAttribute>().ToArray();
            foreach (var (path, parameters, suffix) in Expand(route))
            {
                var item = paths.TryGetValue(path, out var found) ? found : paths[path] = [];
                foreach (var verb in methods)
                {
                    var operation = described.FirstOrDefault(o => string.Equals(o.Method, verb, StringComparison.OrdinalIgnoreCase))
                        ?? described.FirstOrDefault(o => o.Method is null)
                        ?? throw new InvalidOperationException($"Function {function} has no [ApiOperation] for {verb.ToUpperInvariant()}: describe it for the OpenAPI document.");
                    // One id per operation: a function that answers two methods gets the method after its name.
                    var operationId = function + suffix + (methods.Length > 1 ? "_" + verb : string.Empty);
                    item[verb] = Operation(operationId, operation, parameters, method, schemaOptions);
                }
            }
        }

        var pathsNode = new JsonObject();
        foreach (var (path, item) in paths)
        {
            pathsNode[path] = item;
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "Serverless PKI",
                ["version"] = "1",
                ["summary"] = "A private CA on Azure Functions: issuance, revocation (OCSP, CRLs), approvals, discovery, inventory, reports and the audit trail.",
                ["license"] = new JsonObject { ["name"] = "Proprietary", ["identifier"] = "LicenseRef-Proprietary" },
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/", ["description"] = "The Function App (or the dev host) serving this document." }),
            ["security"] = new JsonArray(
                new JsonObject { ["apiKey"] = new JsonArray() },
                new JsonObject { ["entra"] = new JsonArray() },
                new JsonObject { ["session"] = new JsonArray() }),
            ["paths"] = pathsNode,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    ["apiKey"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = KeyAuthenticator.ApiKeyHeader, ["description"] = "A configured API key (its SHA-256 in Pki:Access:ApiKeys); x-functions-key the same way for function keys." },
                    ["entra"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT", ["description"] = "A Microsoft Entra ID access token for the API's audience, or App Service authentication in front." },
                    ["session"] = new JsonObject { ["type"] = "apiKey", ["in"] = "cookie", ["name"] = SessionCookie.Name, ["description"] = $"The dashboard's session (POST /api/session); state-changing calls also send {SessionCookie.CsrfHeader}." },
                },
                ["schemas"] = new JsonObject { ["Problem"] = ProblemSchema() },
                ["responses"] = new JsonObject
                {
                    ["Problem"] = new JsonObject
                    {
                        ["description"] = "An RFC 9457 problem: the type names what went wrong, the detail what to change.",
                        ["content"] = new JsonObject { [ProblemResults.ContentType] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Problem" } } },
                    },
                },
            },
        };
    }

    /// <summary>Every HTTP function of this assembly: its name, methods, route (without the prefix) and method.</summary>
    public static IEnumerable<(string Name, string[] Methods, string Route, MethodInfo Method)> HttpFunctions() =>
        from type in typeof(OpenApiDocument).Assembly.GetExportedTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
        let function = method.GetCustomAttribute<FunctionAttribute>()
        where function is not null
        let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(t => t is not null)
        where trigger is not null
        select (function.Name, (trigger.Methods ?? ["get", "post"]).Select(m => m.ToLowerInvariant()).ToArray(), trigger.Route ?? function.Name, method);

    /// <summary>
    /// The OpenAPI paths of a route template: "/api/" + template, with "{*x}" as "{x}"; a parameter that may be absent
    /// ("{x?}", or a catch-all, which ASP.NET Core routing lets match nothing) gives a second path without it.
    /// </summary>
    public static IEnumerable<(string Path, string[] Parameters, string OperationSuffix)> Expand(string route)
    {
        var parameters = RouteParameter().Matches(route).Select(m => m.Groups["name"].Value).ToArray();
        var full = "/" + Routes.Prefix + "/" + RouteParameter().Replace(route, m => "{" + m.Groups["name"].Value + "}");
        yield return (full, parameters, string.Empty);
        var optional = RouteParameter().Matches(route).LastOrDefault(m => m.Groups["star"].Success || m.Groups["optional"].Success);
        if (optional is not null && optional.Index + optional.Length == route.Length)
        {
            var bare = route[..optional.Index].TrimEnd('/');
            yield return ("/" + Routes.Prefix + "/" + RouteParameter().Replace(bare, m => "{" + m.Groups["name"].Value + "}"),
                parameters[..^1], "Without" + char.ToUpperInvariant(optional.Groups["name"].Value[0]) + optional.Groups["name"].Value[1..]);
        }
    }

    private static JsonObject Operation(string operationId, ApiOperationAttribute operation, string[] pathParameters, MethodInfo method, JsonSerializerOptions schemaOptions)
    {
        var parameters = new JsonArray();
        foreach (var name in pathParameters)
        {
            parameters.Add(new JsonObject
            {
                ["name"] = name, ["in"] = "path", ["required"] = true,
                ["description"] = PathParameters.TryGetValue(name, out var d) ? d : throw new InvalidOperationException($"Path parameter {{{name}}} has no description."),
                ["schema"] = new JsonObject { ["type"] = "string" },
            });
        }

        foreach (var query in method.GetCustomAttributes<ApiQueryAttribute>())
        {
            parameters.Add(new JsonObject
            {
                ["name"] = query.Name, ["in"] = "query", ["required"] = false, ["description"] = query.Description,
                ["schema"] = new JsonObject { ["type"] = query.Type },
            });
        }

        var responses = new JsonObject
        {
            [operation.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Response(operation.Response, operation.ResponseMediaType, operation.Status, schemaOptions),
        };
        if (operation.AlternateStatus != 0)
        {
            responses[operation.AlternateStatus.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Response(operation.AlternateResponse, null, operation.AlternateStatus, schemaOptions);
        }

        responses["4XX"] = new JsonObject { ["$ref"] = "#/components/responses/Problem" };
        responses["5XX"] = new JsonObject { ["$ref"] = "#/components/responses/Problem" };
        var node = new JsonObject
        {
            ["operationId"] = operationId,
            ["summary"] = operation.Summary,
            ["tags"] = new JsonArray(method.DeclaringType!.Name),
        };
        if (parameters.Count > 0)
        {
            node["parameters"] = parameters;
        }

        if (operation.Request is not null || operation.RequestMediaType is not null)
        {
            node["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject
                {
                    [operation.RequestMediaType ?? Http.Json.ContentType] = new JsonObject
                    {
                        ["schema"] = operation.Request is { } request ? Schema(request, schemaOptions) : new JsonObject { ["type"] = "string", ["contentMediaType"] = operation.RequestMediaType },
                    },
                },
            };
        }

        node["responses"] = responses;
        if (operation.Public)
        {
            node["security"] = new JsonArray();
        }

        if (operation.Permission is { } permission)
        {
            node["x-permission"] = Enum.Parse<Permission>(permission).ToString();
        }

        return node;
    }

    private static JsonObject Response(Type? type, string? mediaTypes, int status, JsonSerializerOptions schemaOptions)
    {
        var response = new JsonObject { ["description"] = status switch { 201 => "Created", 202 => "Accepted", 204 => "No content", _ => "OK" } };
        if (status == 204)
        {
            return response;
        }

        var content = new JsonObject();
        foreach (var media in (mediaTypes ?? Http.Json.ContentType).Split(',', StringSplitOptions.TrimEntries))
        {
            content[media] = new JsonObject
            {
                ["schema"] = media.Contains("json", StringComparison.Ordinal) && type is not null
                    ? Schema(type, schemaOptions)
                    : new JsonObject { ["type"] = "string", ["contentMediaType"] = media },
            };
        }

        response["content"] = content;
        return response;
    }

    /// <summary>
    /// The JSON Schema (2020-12, as OpenAPI 3.1 takes it) of a type the API serializes. The exporter points a type's second
    /// occurrence at its first with a "$ref" relative to the schema's root, which means nothing once the schema is placed
    /// in a document: those are replaced by a copy of what they point at (the API's types are not recursive), and "true"
    /// (anything) by the empty schema.
    /// </summary>
    private static JsonNode Schema(Type type, JsonSerializerOptions options)
    {
        var root = JsonSchemaExporter.GetJsonSchemaAsNode(options, type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        return Inline(root, root, 0);
    }

    private static JsonNode Inline(JsonNode node, JsonNode root, int depth)
    {
        if (depth > 64)
        {
            throw new InvalidOperationException("A schema nests deeper than 64 levels; is a type of the API recursive?");
        }

        switch (node)
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.True:
                return new JsonObject();
            case JsonObject obj when obj["$ref"]?.GetValue<string>() is { } pointer && pointer.StartsWith('#'):
                var target = pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries)
                    .Aggregate(root, (current, segment) => current[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)]
                        ?? throw new InvalidOperationException($"The schema's $ref {pointer} points nowhere."));
                var copy = Inline(target.DeepClone(), root, depth + 1);
                foreach (var (key, extra) in obj.Where(p => p.Key != "$ref").ToArray())
                {
                    copy[key] = extra?.DeepClone();
                }

                return copy;
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, child) in obj)
                {
                    result[key] = child is null ? null : Inline(child, root, depth + 1);
                }

                return result;
            case JsonArray array:
                return new JsonArray([.. array.Select(child => child is null ? null : Inline(child, root, depth + 1))]);
            default:
                return node.DeepClone();
        }
    }

    private static JsonObject ProblemSchema() => new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("type", "title", "status", "detail"),
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject
            {
                ["type"] = "string",
                ["description"] = "What went wrong; each value's statuses are listed in x-statuses.",
                ["enum"] = new JsonArray([.. ProblemTypes.All.Keys.Select(k => (JsonNode)(ProblemResults.TypePrefix + k))]),
                ["x-statuses"] = new JsonObject(ProblemTypes.All.Select(p => KeyValuePair.Create(ProblemResults.TypePrefix + p.Key, (JsonNode?)new JsonArray([.. p.Value.Select(s => (JsonNode)s)])))),
            },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["status"] = new JsonObject { ["type"] = "integer" },
            ["detail"] = new JsonObject { ["type"] = "string", ["description"] = "What to change." },
            ["instance"] = new JsonObject { ["type"] = "string" },
        },
    };

    [GeneratedRegex(@"\{(?<star>\*)?(?<name>\w+)(?<optional>\?)?\}")]
    private static partial Regex RouteParameter();
}
