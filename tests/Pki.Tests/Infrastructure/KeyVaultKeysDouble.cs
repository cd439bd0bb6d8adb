using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pki.Core.Signing.KeyVault;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// A Key Vault on loopback HTTPS that answers the keys operations of the public REST contract: create
/// (<c>POST /keys/{name}/create</c>), get (<c>GET /keys/{name}[/{version}]</c>) and sign
/// (<c>POST /keys/{name}/{version}/sign</c>), with api-version required, JSON Web Key field names, base64url,
/// the bearer challenge, Key Vault's error bodies and, on demand, 429 with Retry-After. It signs with real
/// keys it keeps in memory and never writes private key material into any answer.
/// It is addressed as https://kvdouble.localhost:{port}/; <see cref="ClientOptions"/> connects that name to
/// loopback and trusts exactly this double's TLS certificate.
/// </summary>
public sealed class KeyVaultKeysDouble : IAsyncDisposable
{
    public const string VaultName = "kvdouble";
    public const string Tenant = "3b6f0d2e-8c41-4a7e-b1d9-5e2a7c9f0e14";
    /// <summary>The scope a token must be for while <see cref="Resource"/> keeps its default.</summary>
    public const string Scope = "https://vault.azure.net/.default";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _tlsCertificate;
    private readonly int _port;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<StoredKey>> _keys = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _softDeleted = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _denied = new(StringComparer.Ordinal);
    private readonly DoubleTokenIssuer _tokens = new("kvkeys");
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentBag<HttpMessageHandler> _handlers = [];
    private int _throttleRemaining;
    private int _retryAfterSeconds = 1;

    private KeyVaultKeysDouble(WebApplication app, X509Certificate2 tlsCertificate)
    {
        _app = app;
        _tlsCertificate = tlsCertificate;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _port = new Uri(address).Port;
        VaultUri = new Uri($"https://{VaultName}.localhost:{_port}/");
    }

    public Uri VaultUri { get; }

    /// <summary>The resource the challenge names; Key Vault's is https://vault.azure.net.</summary>
    public string Resource { get; set; } = "https://vault.azure.net";

    public TokenCredential Credential => _tokens.Credential;

    /// <summary>Issues tokens this vault never accepts, like a token from another tenant.</summary>
    public TokenCredential ForeignCredential => _tokens.ForeignCredential;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public ConcurrentQueue<TokenRequestContext> TokenRequests => _tokens.Requests;

    public static async Task<KeyVaultKeysDouble> StartAsync()
    {
        var tlsCertificate = LoopbackHttps.ServerCertificate("Key Vault keys double", san => san.AddDnsName(VaultName + ".localhost"));
        KeyVaultKeysDouble? vault = null;
        var app = await LoopbackHttps.StartAsync(tlsCertificate, context => vault!.HandleAsync(context));
        vault = new KeyVaultKeysDouble(app, tlsCertificate);
        return vault;
    }

    /// <summary>
    /// Client options for this vault: a transport that reaches kvdouble.localhost on loopback and trusts exactly
    /// this double's certificate, short retry delays (Retry-After still rules), and the challenge resource check
    /// off, since vault.azure.net is not this host's domain.
    /// </summary>
    public KeyVaultKeysClientOptions ClientOptions(bool verifyChallengeResource = false)
    {
        var handler = LoopbackHttps.PinnedHandler(_tlsCertificate);

        // Every vault name resolves to this double.
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, _port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        _handlers.Add(handler);
        var options = new KeyVaultKeysClientOptions
        {
            Transport = new HttpClientTransport(handler),
            DisableChallengeResourceVerification = !verifyChallengeResource,
        };
        options.Retry.Delay = TimeSpan.FromMilliseconds(20);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        return options;
    }

    /// <summary>The next <paramref name="count"/> requests answer 429 with Retry-After.</summary>
    public void Throttle(int count, int retryAfterSeconds = 1)
    {
        _retryAfterSeconds = retryAfterSeconds;
        Volatile.Write(ref _throttleRemaining, count);
    }

    /// <summary>Refuses an operation ("create", "get", "sign") with 403, as RBAC does for a role without its data action.</summary>
    public void Deny(string operation)
    {
        lock (_lock)
        {
            _denied.Add(operation);
        }
    }

    /// <summary>The key is deleted but recoverable: get answers 404 and create 409, as with soft delete.</summary>
    public void SoftDelete(string name)
    {
        lock (_lock)
        {
            _keys.Remove(name);
            _softDeleted.Add(name);
        }
    }

    /// <summary>Rotates a key outside the app: a new current version of the same type.</summary>
    public string Rotate(string name)
    {
        lock (_lock)
        {
            var latest = _keys[name][^1];
            var key = NewKey(latest.Kty, latest.Curve, latest.Size);
            return AddVersion(name, latest.Kty, latest.Curve, latest.Size, latest.Operations, key).Version;
        }
    }

    /// <summary>How many versions the vault holds for a key.</summary>
    public int VersionCount(string name)
    {
        lock (_lock)
        {
            return _keys.TryGetValue(name, out var versions) ? versions.Count : 0;
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

        lock (_lock)
        {
            foreach (var key in _keys.Values.SelectMany(v => v))
            {
                key.Key.Dispose();
            }
        }

        _tlsCertificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body))
        {
            body = await reader.ReadToEndAsync();
        }

        var authorization = request.Headers.Authorization.ToString();
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", authorization, body));

        if (Interlocked.Decrement(ref _throttleRemaining) >= 0)
        {
            context.Response.Headers.RetryAfter = _retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ErrorAsync(context, 429, "Throttled", "Request was not processed because too many requests were received.");
            return;
        }

        var apiVersion = request.Query["api-version"].ToString();
        if (apiVersion.Length == 0)
        {
            await ErrorAsync(context, 400, "BadParameter", "The api-version query parameter is required.");
            return;
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !IsAccepted(authorization["Bearer ".Length..]))
        {
            context.Response.Headers.WWWAuthenticate = $"Bearer authorization=\"https://login.microsoftonline.com/{Tenant}\", resource=\"{Resource}\"";
            await ErrorAsync(context, 401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
            return;
        }

        JsonObject? json = null;
        if (HttpMethods.IsPost(request.Method))
        {
            if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            {
                await ErrorAsync(context, 400, "BadParameter", "A request body must be application/json.");
                return;
            }

            try
            {
                json = JsonNode.Parse(body) as JsonObject;
            }
            catch (JsonException)
            {
            }

            if (json is null)
            {
                await ErrorAsync(context, 400, "BadParameter", "The request body is not a JSON object.");
                return;
            }
        }

        var segments = (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (request.Method, segments)
        {
            case ("POST", ["keys", var name, "create"]):
                await CreateAsync(context, name, json!);
                break;
            case ("GET", ["keys", var name]):
                await GetAsync(context, name, version: null);
                break;
            case ("GET", ["keys", var name, var version]):
                await GetAsync(context, name, version);
                break;
            case ("POST", ["keys", var name, var version, "sign"]):
                await SignAsync(context, name, version, json!);
                break;
            default:
                await ErrorAsync(context, 404, "NotFound", $"No such operation: {request.Method} {request.Path}.");
                break;
        }
    }

    private bool IsAccepted(string token) => _tokens.Accepts(token, Resource + "/.default", Tenant);

    private async Task CreateAsync(HttpContext context, string name, JsonObject body)
    {
        if (await RefusedAsync(context, "create", name))
        {
            return;
        }

        var kty = (string?)body["kty"];
        var crv = (string?)body["crv"];
        var size = (int?)body["key_size"];
        var operations = body["key_ops"] is JsonArray ops ? ops.Select(o => (string)o!).ToArray() : ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"];
        if (body["attributes"]?["exportable"] is { } exportable && (bool)exportable && body["release_policy"] is null)
        {
            await ErrorAsync(context, 400, "BadParameter", "Exportable keys must have a release policy.");
            return;
        }

        string? problem = kty switch
        {
            "EC" or "EC-HSM" when crv is not ("P-256" or "P-384") => $"Curve '{crv}' is not supported here.",
            "RSA" or "RSA-HSM" when size is not (2048 or 3072 or 4096) => $"Key size {size} is not supported for RSA.",
            "EC" or "EC-HSM" or "RSA" or "RSA-HSM" => null,
            _ => $"Key type '{kty}' is not supported.",
        };
        if (problem is not null)
        {
            await ErrorAsync(context, 400, "BadParameter", problem);
            return;
        }

        StoredKey stored;
        lock (_lock)
        {
            if (_softDeleted.Contains(name))
            {
                stored = null!;
            }
            else
            {
                stored = AddVersion(name, kty!, crv, size, operations, NewKey(kty!, crv, size));
            }
        }

        if (stored is null)
        {
            await ErrorAsync(context, 409, "Conflict", $"Key {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.");
            return;
        }

        await JsonAsync(context, 200, Bundle(name, stored));
    }

    private async Task GetAsync(HttpContext context, string name, string? version)
    {
        if (await RefusedAsync(context, "get", name))
        {
            return;
        }

        var stored = Find(name, version);
        if (stored is null)
        {
            await NotFoundAsync(context, name, version);
            return;
        }

        await JsonAsync(context, 200, Bundle(name, stored));
    }

    private async Task SignAsync(HttpContext context, string name, string version, JsonObject body)
    {
        if (await RefusedAsync(context, "sign", name))
        {
            return;
        }

        var stored = Find(name, version);
        if (stored is null)
        {
            await NotFoundAsync(context, name, version);
            return;
        }

        if (!stored.Operations.Contains("sign"))
        {
            await ErrorAsync(context, 403, "Forbidden", "Operation sign is not permitted on this key.");
            return;
        }

        var alg = (string?)body["alg"];
        byte[] digest;
        try
        {
            digest = Base64Url.DecodeFromChars((string?)body["value"] ?? "");
        }
        catch (FormatException)
        {
            await ErrorAsync(context, 400, "BadParameter", "value is not base64url.");
            return;
        }

        byte[]? signature = (alg, stored.Key) switch
        {
            ("ES256", ECDsa ec) when stored.Curve == "P-256" && digest.Length == 32 => ec.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            ("ES384", ECDsa ec) when stored.Curve == "P-384" && digest.Length == 48 => ec.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            ("RS256", RSA rsa) when digest.Length == 32 => rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ("PS256", RSA rsa) when digest.Length == 32 => rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            _ => null,
        };
        if (signature is null)
        {
            await ErrorAsync(context, 400, "BadParameter", $"Algorithm {alg} with a {digest.Length}-byte digest does not fit key {name} ({stored.Kty} {stored.Curve ?? stored.Size?.ToString()}).");
            return;
        }

        await JsonAsync(context, 200, new JsonObject { ["kid"] = Kid(name, stored), ["value"] = Base64Url.EncodeToString(signature) });
    }

    private async Task<bool> RefusedAsync(HttpContext context, string operation, string name)
    {
        if (name.Length > 127 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            await ErrorAsync(context, 400, "BadParameter", $"The key name '{name}' is not valid.");
            return true;
        }

        bool denied;
        lock (_lock)
        {
            denied = _denied.Contains(operation);
        }

        if (denied)
        {
            var action = operation == "get" ? "read" : operation + "/action";
            await ErrorAsync(context, 403, "Forbidden",
                $"Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/keys/{action}'", innerCode: "ForbiddenByRbac");
            return true;
        }

        return false;
    }

    private StoredKey? Find(string name, string? version)
    {
        lock (_lock)
        {
            if (!_keys.TryGetValue(name, out var versions))
            {
                return null;
            }

            return version is null ? versions[^1] : versions.FirstOrDefault(v => v.Version.Equals(version, StringComparison.OrdinalIgnoreCase));
        }
    }

    private StoredKey AddVersion(string name, string kty, string? crv, int? size, string[] operations, AsymmetricAlgorithm key)
    {
        var stored = new StoredKey(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), kty, crv, size, operations, key, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        if (!_keys.TryGetValue(name, out var versions))
        {
            _keys[name] = versions = [];
        }

        versions.Add(stored);
        return stored;
    }

    private static AsymmetricAlgorithm NewKey(string kty, string? crv, int? size) => kty.StartsWith("EC", StringComparison.Ordinal)
        ? ECDsa.Create(crv == "P-256" ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384)
        : RSA.Create(size!.Value);

    private string Kid(string name, StoredKey stored) => $"{VaultUri}keys/{name}/{stored.Version}";

    /// <summary>A key bundle: the public JSON Web Key only (ExportParameters(false)), and the attributes.</summary>
    private JsonObject Bundle(string name, StoredKey stored)
    {
        var jwk = new JsonObject
        {
            ["kid"] = Kid(name, stored),
            ["kty"] = stored.Kty,
            ["key_ops"] = new JsonArray([.. stored.Operations.Select(o => (JsonNode)o)]),
        };
        if (stored.Key is ECDsa ec)
        {
            var p = ec.ExportParameters(includePrivateParameters: false);
            jwk["crv"] = stored.Curve;
            jwk["x"] = Base64Url.EncodeToString(p.Q.X);
            jwk["y"] = Base64Url.EncodeToString(p.Q.Y);
        }
        else
        {
            var p = ((RSA)stored.Key).ExportParameters(includePrivateParameters: false);
            jwk["n"] = Base64Url.EncodeToString(p.Modulus);
            jwk["e"] = Base64Url.EncodeToString(p.Exponent);
        }

        return new JsonObject
        {
            ["key"] = jwk,
            ["attributes"] = new JsonObject
            {
                ["enabled"] = true,
                ["created"] = stored.Created,
                ["updated"] = stored.Created,
                ["recoveryLevel"] = "Recoverable+Purgeable",
                ["recoverableDays"] = 90,
                ["exportable"] = false,
            },
        };
    }

    private static Task NotFoundAsync(HttpContext context, string name, string? version) =>
        ErrorAsync(context, 404, "KeyNotFound", $"A key with (name/id) {name}{(version is null ? "" : "/" + version)} was not found in this key vault.");

    private static Task ErrorAsync(HttpContext context, int status, string code, string message, string? innerCode = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (innerCode is not null)
        {
            error["innererror"] = new JsonObject { ["code"] = innerCode };
        }

        return JsonAsync(context, status, new JsonObject { ["error"] = error });
    }

    private static async Task JsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private sealed record StoredKey(string Version, string Kty, string? Curve, int? Size, string[] Operations, AsymmetricAlgorithm Key, long Created);

    /// <summary>One request as the vault saw it, body included.</summary>
    public sealed record RecordedRequest(string Method, string Path, string Query, string Authorization, string Body)
    {
        public bool HasToken => Authorization.StartsWith("Bearer ", StringComparison.Ordinal);
    }
}
