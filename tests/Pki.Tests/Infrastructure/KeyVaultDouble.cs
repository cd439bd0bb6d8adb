using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// A Key Vault on loopback HTTPS that answers the certificate reads the SDK makes as the public REST contract
/// describes them: challenge-based bearer authentication, <c>value</c>/<c>nextLink</c> paging, certificate
/// bundles and Key Vault's error bodies. Its TLS certificate is made here; <see cref="ClientOptions"/> trusts
/// exactly that one.
/// </summary>
public sealed partial class KeyVaultDouble : IAsyncDisposable
{
    public const string Tenant = "7d1c5e3a-0b4f-4e59-9a52-3c2f8e6d1b90";
    public const string Resource = "https://vault.azure.net";
    public const string Scope = Resource + "/.default";

    /// <summary>Key Vault's own bound for maxresults; the service answers 25 when none is asked.</summary>
    private const int MaxResultsLimit = 25;

    private readonly WebApplication _app;
    private readonly X509Certificate2 _tlsCertificate;
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, List<StoredVersion>> _certificates = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _forbidden = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _vanished = new(StringComparer.OrdinalIgnoreCase);
    private readonly DoubleTokenIssuer _tokens = new("kvdouble");
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentBag<HttpMessageHandler> _handlers = [];

    private KeyVaultDouble(WebApplication app, X509Certificate2 tlsCertificate)
    {
        _app = app;
        _tlsCertificate = tlsCertificate;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        VaultUri = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>The vault's base URI, <c>https://127.0.0.1:{port}/</c>.</summary>
    public Uri VaultUri { get; }

    /// <summary>Items per page of a listing, whatever maxresults asks; small so that paging happens.</summary>
    public int PageSize { get; set; } = 2;

    /// <summary>When set, the list call answers 403, as for an identity without certificates/list.</summary>
    public bool DenyListing { get; set; }

    /// <summary>Issues tokens this vault accepts, for <see cref="Scope"/> in <see cref="Tenant"/>.</summary>
    public TokenCredential Credential => _tokens.Credential;

    /// <summary>Issues tokens this vault never accepts, like a token from another tenant.</summary>
    public TokenCredential ForeignCredential => _tokens.ForeignCredential;

    /// <summary>Every request that reached the vault, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>What each token request asked for, in order.</summary>
    public ConcurrentQueue<TokenRequestContext> TokenRequests => _tokens.Requests;

    public static async Task<KeyVaultDouble> StartAsync()
    {
        var tlsCertificate = LoopbackHttps.ServerCertificate("Key Vault double", san => san.AddIpAddress(IPAddress.Loopback));
        KeyVaultDouble? vault = null;
        var app = await LoopbackHttps.StartAsync(tlsCertificate, context => vault!.HandleAsync(context));
        vault = new KeyVaultDouble(app, tlsCertificate);
        return vault;
    }

    /// <summary>
    /// Client options for this vault: a transport that trusts exactly its TLS certificate, and the challenge's
    /// resource (<c>vault.azure.net</c>) accepted for a loopback host. Everything else stays the SDK default.
    /// </summary>
    public CertificateClientOptions ClientOptions(int? maxRetries = null)
    {
        var handler = LoopbackHttps.PinnedHandler(_tlsCertificate);
        _handlers.Add(handler);
        var options = new CertificateClientOptions
        {
            Transport = new HttpClientTransport(handler),
            DisableChallengeResourceVerification = true,
        };
        if (maxRetries is { } retries)
        {
            options.Retry.MaxRetries = retries;
        }

        return options;
    }

    /// <summary>Stores a new version of a certificate and returns its version id.</summary>
    public string AddVersion(string name, byte[] der, DateTimeOffset created, bool enabled = true, DateTimeOffset? updated = null)
    {
        var version = Guid.NewGuid().ToString("N");
        var stored = new StoredVersion(version, der, enabled, created.ToUnixTimeSeconds(), (updated ?? created).ToUnixTimeSeconds());
        lock (_lock)
        {
            if (!_certificates.TryGetValue(name, out var versions))
            {
                _certificates[name] = versions = [];
            }

            versions.Add(stored);
        }

        return version;
    }

    /// <summary>Reads of this certificate's versions answer 403, as for a per-certificate access restriction.</summary>
    public void Forbid(string name)
    {
        lock (_lock)
        {
            _forbidden.Add(name);
        }
    }

    /// <summary>The certificate stays in the listing but its versions answer 404, as if deleted meanwhile.</summary>
    public void Vanish(string name)
    {
        lock (_lock)
        {
            _vanished.Add(name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var handler in _handlers)
        {
            handler.Dispose();
        }

        _tlsCertificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        string body;
        using (var reader = new StreamReader(request.Body))
        {
            body = await reader.ReadToEndAsync();
        }

        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", authorization, body));
        if (Interlocked.Decrement(ref _throttleRemaining) >= 0)
        {
            context.Response.Headers.RetryAfter = "1";
            await ErrorAsync(context, 429, "Throttled", "Request was not processed because too many requests were received.");
            return;
        }

        var apiVersion = request.Query["api-version"].ToString();
        if (apiVersion.Length == 0)
        {
            await ErrorAsync(context, 400, "BadParameter", "The api-version query parameter is required.");
            return;
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await ChallengeAsync(context, "AKV10000: Request is missing a Bearer or PoP token.");
            return;
        }

        if (!IsAccepted(authorization["Bearer ".Length..]))
        {
            await ChallengeAsync(context, "The bearer token was not issued for this vault's tenant and resource.");
            return;
        }

        var segments = (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (await HandleEnrollmentAsync(context, segments, body))
        {
            return;
        }

        if (!HttpMethods.IsGet(request.Method))
        {
            await ErrorAsync(context, 405, "MethodNotAllowed", $"The double answers {request.Method} only for enrollment; got {request.Method} {request.Path}.");
            return;
        }

        switch (segments)
        {
            case ["certificates"]:
                await ListCertificatesAsync(context, apiVersion);
                break;
            case ["certificates", var name, "versions"]:
                await ListVersionsAsync(context, apiVersion, name);
                break;
            case ["certificates", var name]:
                await GetCertificateAsync(context, name, version: null);
                break;
            case ["certificates", var name, var version]:
                await GetCertificateAsync(context, name, version);
                break;
            default:
                await ErrorAsync(context, 404, "NotFound", $"No such operation: {request.Path}.");
                break;
        }
    }

    private bool IsAccepted(string token) => _tokens.Accepts(token, Scope, Tenant);

    private async Task ListCertificatesAsync(HttpContext context, string apiVersion)
    {
        if (DenyListing)
        {
            await ErrorAsync(context, 403, "Forbidden", "The user, group or application does not have certificates list permission on this key vault.");
            return;
        }

        List<JsonObject> items;
        lock (_lock)
        {
            items = [.. _certificates.Select(c => Item(VaultUri + "certificates/" + c.Key, Latest(c.Value)))];
        }

        await PageAsync(context, apiVersion, "certificates", items);
    }

    private async Task ListVersionsAsync(HttpContext context, string apiVersion, string name)
    {
        List<JsonObject>? items = null;
        bool forbidden;
        lock (_lock)
        {
            forbidden = _forbidden.Contains(name);
            if (!_vanished.Contains(name) && _certificates.TryGetValue(name, out var versions))
            {
                items = [.. versions.Select(v => Item(VaultUri + "certificates/" + name + "/" + v.Version, v))];
            }
        }

        if (forbidden)
        {
            await ForbiddenAsync(context, name);
        }
        else if (items is null)
        {
            await NotFoundAsync(context, name, version: null);
        }
        else
        {
            await PageAsync(context, apiVersion, $"certificates/{name}/versions", items);
        }
    }

    private async Task GetCertificateAsync(HttpContext context, string name, string? version)
    {
        StoredVersion? stored = null;
        bool forbidden;
        lock (_lock)
        {
            forbidden = _forbidden.Contains(name);
            if (!_vanished.Contains(name) && _certificates.TryGetValue(name, out var versions))
            {
                stored = version is null ? Latest(versions) : versions.FirstOrDefault(v => v.Version.Equals(version, StringComparison.OrdinalIgnoreCase));
            }
        }

        if (forbidden)
        {
            await ForbiddenAsync(context, name);
            return;
        }

        if (stored is null)
        {
            await NotFoundAsync(context, name, version);
            return;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(stored.Der);
        var bundle = new JsonObject
        {
            ["id"] = $"{VaultUri}certificates/{name}/{stored.Version}",
            ["kid"] = $"{VaultUri}keys/{name}/{stored.Version}",
            ["sid"] = $"{VaultUri}secrets/{name}/{stored.Version}",
            ["x5t"] = Thumbprint(stored.Der),
            ["cer"] = Convert.ToBase64String(stored.Der),
            ["attributes"] = Attributes(stored),
            ["policy"] = new JsonObject
            {
                ["id"] = $"{VaultUri}certificates/{name}/policy",
                ["key_props"] = new JsonObject
                {
                    ["exportable"] = true,
                    ["kty"] = certificate.GetRSAPublicKey() is null ? "EC" : "RSA",
                    ["reuse_key"] = false,
                },
                ["secret_props"] = new JsonObject { ["contentType"] = "application/x-pkcs12" },
                ["x509_props"] = new JsonObject { ["subject"] = certificate.Subject, ["validity_months"] = 12 },
                ["issuer"] = new JsonObject { ["name"] = "Unknown" },
                ["attributes"] = new JsonObject { ["enabled"] = true, ["created"] = stored.Created, ["updated"] = stored.Updated },
            },
        };
        await JsonAsync(context, 200, bundle);
    }

    /// <summary>One page of a listing; nextLink carries an opaque skip token and the api-version, as Key Vault's does.</summary>
    private async Task PageAsync(HttpContext context, string apiVersion, string path, List<JsonObject> items)
    {
        var maxResults = MaxResultsLimit;
        if (context.Request.Query.TryGetValue("maxresults", out var asked))
        {
            if (!int.TryParse(asked, out maxResults) || maxResults is < 1 or > MaxResultsLimit)
            {
                await ErrorAsync(context, 400, "BadParameter", $"maxresults must be between 1 and {MaxResultsLimit}.");
                return;
            }
        }

        var skip = 0;
        if (context.Request.Query.TryGetValue("$skiptoken", out var token)
            && !int.TryParse(System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(token.ToString())), out skip))
        {
            await ErrorAsync(context, 400, "BadParameter", "The skip token is not valid.");
            return;
        }

        var size = Math.Min(maxResults, PageSize);
        var page = new JsonArray([.. items.Skip(skip).Take(size)]);
        string? nextLink = null;
        if (skip + size < items.Count)
        {
            var nextToken = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes((skip + size).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            nextLink = $"{VaultUri}{path}?api-version={apiVersion}&$skiptoken={Uri.EscapeDataString(nextToken)}&maxresults={maxResults}";
        }

        await JsonAsync(context, 200, new JsonObject { ["value"] = page, ["nextLink"] = nextLink });
    }

    private static JsonObject Item(string id, StoredVersion version) => new()
    {
        ["id"] = id,
        ["x5t"] = Thumbprint(version.Der),
        ["attributes"] = Attributes(version),
        ["tags"] = new JsonObject(),
    };

    private static JsonObject Attributes(StoredVersion version)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(version.Der);
        return new JsonObject
        {
            ["enabled"] = version.Enabled,
            ["nbf"] = new DateTimeOffset(certificate.NotBefore.ToUniversalTime()).ToUnixTimeSeconds(),
            ["exp"] = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(),
            ["created"] = version.Created,
            ["updated"] = version.Updated,
            ["recoveryLevel"] = "Recoverable+Purgeable",
            ["recoverableDays"] = 90,
        };
    }

    private static StoredVersion Latest(List<StoredVersion> versions) => versions.MaxBy(v => v.Created)!;

    /// <summary>x5t: the base64url SHA-1 of the DER, as Key Vault reports it.</summary>
    private static string Thumbprint(byte[] der) =>
        Convert.ToBase64String(SHA1.HashData(der)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private Task ChallengeAsync(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate = $"Bearer authorization=\"https://login.microsoftonline.com/{Tenant}\", resource=\"{Resource}\"";
        return ErrorAsync(context, 401, "Unauthorized", message);
    }

    private static Task ForbiddenAsync(HttpContext context, string name) =>
        ErrorAsync(context, 403, "Forbidden", $"The user, group or application does not have certificates get permission on certificate '{name}'.");

    private static Task NotFoundAsync(HttpContext context, string name, string? version) =>
        ErrorAsync(context, 404, "CertificateNotFound",
            $"A certificate with (name/id) {name}{(version is null ? "" : "/" + version)} was not found in this key vault.");

    private static Task ErrorAsync(HttpContext context, int status, string code, string message) =>
        JsonAsync(context, status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    private static async Task JsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private sealed record StoredVersion(string Version, byte[] Der, bool Enabled, long Created, long Updated);

    /// <summary>One request as the vault saw it.</summary>
    public sealed record RecordedRequest(string Method, string Path, string Query, string Authorization, string Body = "")
    {
        public bool HasToken => Authorization.StartsWith("Bearer ", StringComparison.Ordinal);
    }
}
