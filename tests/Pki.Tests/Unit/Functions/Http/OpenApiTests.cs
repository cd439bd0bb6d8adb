using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pki.Functions.Http.OpenApi;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Functions.Http;

/// <summary>
/// The OpenAPI document against what the service is: its operations against the HTTP triggers of the functions.metadata
/// the Worker SDK generated (a route added without its description fails here), its problem types against those written
/// in the source, and the whole of it against Redocly's linter (an OpenAPI 3.1 validator we did not write).
/// </summary>
public sealed partial class OpenApiTests
{
    private static readonly JsonObject Document = OpenApiDocument.Build();

    [Fact]
    public void Every_http_trigger_of_the_functions_metadata_is_an_operation_and_nothing_else_is()
    {
        var metadata = JsonDocument.Parse(File.ReadAllText(RepoPaths.BuildOutput("functions", "functions.metadata"))).RootElement;
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var function in metadata.EnumerateArray())
        {
            var trigger = function.GetProperty("bindings").EnumerateArray().FirstOrDefault(b => b.GetProperty("type").GetString() == "httpTrigger");
            if (trigger.ValueKind == JsonValueKind.Undefined)
            {
                continue;
            }

            var name = function.GetProperty("name").GetString()!;
            var route = trigger.GetProperty("route").GetString()!;
            foreach (var method in trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()))
            {
                // ASP.NET Core routing lets an optional parameter ({x?}) and a catch-all ({*x}) at the end match nothing: two paths.
                expected.Add($"{method} /api/{Parameter().Replace(route, m => "{" + m.Groups["name"].Value + "}")} {name}");
                if (Parameter().Matches(route).LastOrDefault() is { } last && last.Index + last.Length == route.Length && (last.Groups["star"].Success || last.Groups["optional"].Success))
                {
                    expected.Add($"{method} /api/{Parameter().Replace(route[..last.Index].TrimEnd('/'), m => "{" + m.Groups["name"].Value + "}")} {name}");
                }
            }
        }

        var actual = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (path, item) in Document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var id = operation!["operationId"]!.GetValue<string>();
                actual.Add($"{method} {path} {Regex.Replace(Regex.Replace(id, "_" + method + "$", string.Empty), "Without[A-Z][a-z]+$", string.Empty)}");
                Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), $"{method} {path} has no summary");
                Assert.NotNull(operation["responses"]!["4XX"]);
            }
        }

        Assert.True(expected.Count > 30, $"{expected.Count} HTTP operations in functions.metadata");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Every_path_parameter_is_declared_and_bodies_have_schemas_of_the_types_the_api_writes()
    {
        foreach (var (path, item) in Document["paths"]!.AsObject())
        {
            var inPath = Parameter().Matches(path).Select(m => m.Groups["name"].Value).Order().ToArray();
            foreach (var (method, operation) in item!.AsObject())
            {
                var declared = (operation!["parameters"]?.AsArray() ?? []).Where(p => p!["in"]!.GetValue<string>() == "path").Select(p => p!["name"]!.GetValue<string>()).Order().ToArray();
                Assert.True(inPath.SequenceEqual(declared), $"{method} {path}: path parameters {string.Join(",", declared)}");
            }
        }

        // The certificate a request answers is described field by field, as the API names them.
        var issued = Document["paths"]!["/api/certificates"]!["post"]!["responses"]!["201"]!["content"]!["application/json"]!["schema"]!;
        var properties = issued["properties"]!.AsObject().Select(p => p.Key).ToArray();
        Assert.Contains("serialNumber", properties);
        Assert.Contains("certificatePem", properties);
        Assert.Contains("chainPem", properties);
        var body = Document["paths"]!["/api/certificates"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["properties"]!.AsObject();
        Assert.Contains("csr", body.Select(p => p.Key));
    }

    [Fact]
    public void Each_operation_is_tagged_with_its_resource_and_the_acme_routes_with_acme_resources()
    {
        var tags = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (path, item) in Document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                // A tag is the class of the function: one file per resource, so one tag per resource.
                var tag = Assert.Single(operation!["tags"]!.AsArray())!.GetValue<string>();
                Assert.True(path.StartsWith("/api/acme/", StringComparison.Ordinal) == tag.StartsWith("Acme", StringComparison.Ordinal), $"{method} {path} is tagged {tag}");
                (tags.TryGetValue(tag, out var set) ? set : tags[tag] = []).Add($"{method} {path}");
            }
        }

        var acme = tags.Where(t => t.Key.StartsWith("Acme", StringComparison.Ordinal)).ToArray();
        Assert.Equal(acme.Length, typeof(Pki.Functions.Acme.AcmeDirectory).Assembly.GetExportedTypes().Count(t => t.Namespace == "Pki.Functions.Acme"));
        Assert.Contains(acme, t => t.Key == "AcmeCertificates" && t.Value.SetEquals(["post /api/acme/cert/{id}", "post /api/acme/cert/{id}/with-root", "post /api/acme/revoke-cert"]));
    }

    [Fact]
    public void The_problem_types_are_those_the_source_answers_with_their_statuses()
    {
        var found = new SortedDictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        foreach (var folder in new[] { "core", "functions", "local" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, folder), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("node_modules", StringComparison.Ordinal)))
            {
                foreach (Match m in Thrown().Matches(File.ReadAllText(file)))
                {
                    var status = StatusOf(m.Groups["kind"].Value);
                    (found.TryGetValue(m.Groups["type"].Value, out var set) ? set : found[m.Groups["type"].Value] = []).Add(status);
                }
            }
        }

        Assert.True(found.Count > 50, $"{found.Count} problem types found in the source");
        Assert.Equal(
            found.Select(f => $"{f.Key} {string.Join(",", f.Value)}"),
            ProblemTypes.All.Select(p => $"{p.Key} {string.Join(",", p.Value.Order())}"));
        var listed = Document["components"]!["schemas"]!["Problem"]!["properties"]!["type"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Equal(found.Keys.Select(k => "urn:serverless-pki:problem:" + k), listed);
    }

    [Fact]
    public void Redocly_lints_the_document_without_errors_or_warnings()
    {
        var dashboard = Path.Combine(RepoPaths.Root, "functions", "Dashboard");
        var redocly = Path.Combine(dashboard, "node_modules", ".bin", "redocly");
        if (!File.Exists(redocly))
        {
            // local/test installs it (pki_check_dashboard); a plain dotnet test installs the same locked versions here.
            Assert.Equal(0, Run("npm", dashboard, "ci", "--no-audit", "--no-fund", "--loglevel=error").ExitCode);
        }

        var folder = Directory.CreateTempSubdirectory("openapi-");
        try
        {
            var file = Path.Combine(folder.FullName, "openapi.json");
            File.WriteAllText(file, OpenApiDocument.Text);
            var (exit, output) = Run(redocly, folder.FullName, "lint", file, "--format=stylish");
            Assert.True(exit == 0, output);
            Assert.DoesNotMatch(@"[1-9]\d* warnings?", output);
            Assert.Contains("valid", output, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static int StatusOf(string kind) => kind switch
    {
        "BadRequest" => 400,
        "Unauthorized" => 401,
        "Forbidden" => 403,
        "NotFound" or "Status404NotFound" => 404,
        "Conflict" => 409,
        "PayloadTooLarge" => 413,
        "UnsupportedMediaType" => 415,
        "Unprocessable" => 422,
        "TooManyRequests" => 429,
        "Status500InternalServerError" => 500,
        "Unavailable" => 503,
        _ => throw new InvalidOperationException($"Problem kind {kind} has no status here; add it."),
    };

    private static (int ExitCode, string Output) Run(string file, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), $"{file} did not finish");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex(@"\{(?<star>\*)?(?<name>\w+)(?<optional>\?)?\}")]
    private static partial Regex Parameter();

    /// <summary>Every way the source names a problem: the factory methods, the constructor, and the HTTP layer's own.</summary>
    [GeneratedRegex(@"(?:ProblemException\.(?<kind>[A-Za-z]+)\(|new ProblemException\(ProblemKind\.(?<kind>[A-Za-z]+), |new\(ProblemKind\.(?<kind>[A-Za-z]+), |ProblemResults\.Create\(StatusCodes\.(?<kind>Status\d+[A-Za-z]*), )""(?<type>[a-z0-9-]+)""")]
    private static partial Regex Thrown();
}
