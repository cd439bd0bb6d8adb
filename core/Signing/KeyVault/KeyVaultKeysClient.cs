using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Pki.Core.Signing.KeyVault;

/// <summary>
/// The few Key Vault keys REST operations signing needs (create, get, sign), on Azure.Core's pipeline:
/// retries that honour 429/503 Retry-After, Azure.Core's request logging, and Key Vault's challenge-based
/// bearer authentication. Azure.Security.KeyVault.Keys is not served by our registry, hence this client.
/// Every operation has a synchronous form too, because <see cref="ISigner.Sign"/> is synchronous and must
/// not block on an async call.
/// </summary>
public sealed class KeyVaultKeysClient
{
    private const string CryptoUser = "the role Key Vault Crypto User";

    private readonly HttpPipeline _pipeline;
    private readonly string _apiVersion;
    private readonly string _vaultName;

    public KeyVaultKeysClient(Uri vaultUri, TokenCredential credential, KeyVaultKeysClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        ArgumentNullException.ThrowIfNull(credential);
        if (!vaultUri.IsAbsoluteUri || vaultUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"A vault URI is absolute https; got '{vaultUri}'.", nameof(vaultUri));
        }

        options ??= new KeyVaultKeysClientOptions();
        VaultUri = new Uri(vaultUri.GetLeftPart(UriPartial.Authority) + "/");
        _vaultName = KeyVaultOptions.VaultNameOf(VaultUri);
        _apiVersion = options.ServiceVersion;
        _pipeline = HttpPipelineBuilder.Build(
            options,
            [],
            [new KeyVaultChallengePolicy(credential, !options.DisableChallengeResourceVerification)],
            new ResponseClassifier());
    }

    public Uri VaultUri { get; }

    /// <summary>
    /// Creates an HSM-backed, non-exportable key that can only sign and verify. Key Vault adds a new version
    /// when the name exists; callers that must not do that look the key up first.
    /// </summary>
    public Task<KeyVaultKey> CreateKeyAsync(string name, KeyAlgorithm algorithm, CancellationToken cancellationToken = default) =>
        CreateKeyAsync(name, algorithm, async: true, cancellationToken).AsTask();

    public KeyVaultKey CreateKey(string name, KeyAlgorithm algorithm, CancellationToken cancellationToken = default) =>
        CreateKeyAsync(name, algorithm, async: false, cancellationToken).GetAwaiter().GetResult();

    /// <summary>A version of a key (the current one when <paramref name="version"/> is null), or null when the vault has none.</summary>
    public Task<KeyVaultKey?> GetKeyAsync(string name, string? version = null, CancellationToken cancellationToken = default) =>
        GetKeyAsync(name, version, async: true, cancellationToken).AsTask();

    public KeyVaultKey? GetKey(string name, string? version = null, CancellationToken cancellationToken = default) =>
        GetKeyAsync(name, version, async: false, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Signs a digest the caller computed; returns the signature as Key Vault gives it (raw r||s for ES*).</summary>
    public Task<byte[]> SignAsync(string name, string version, string algorithm, byte[] digest, CancellationToken cancellationToken = default) =>
        SignAsync(name, version, algorithm, digest, async: true, cancellationToken).AsTask();

    public byte[] Sign(string name, string version, string algorithm, byte[] digest, CancellationToken cancellationToken = default) =>
        SignAsync(name, version, algorithm, digest, async: false, cancellationToken).GetAwaiter().GetResult();

    private async ValueTask<KeyVaultKey> CreateKeyAsync(string name, KeyAlgorithm algorithm, bool async, CancellationToken cancellationToken)
    {
        CheckSegment(name, nameof(name));
        var body = new JsonObject
        {
            ["kty"] = algorithm.IsEc() ? "EC-HSM" : "RSA-HSM",
            ["key_ops"] = new JsonArray("sign", "verify"),
            ["attributes"] = new JsonObject { ["enabled"] = true, ["exportable"] = false },
        };
        if (algorithm.IsEc())
        {
            body["crv"] = algorithm == KeyAlgorithm.EcP256 ? "P-256" : "P-384";
        }
        else
        {
            body["key_size"] = algorithm.RsaBits();
            body["public_exponent"] = 65537;
        }

        using var message = Message(RequestMethod.Post, $"keys/{name}/create", body);
        var response = await SendAsync(message, async, cancellationToken).ConfigureAwait(false);
        switch (response.Status)
        {
            case 200:
                var key = ReadKey(response);
                if (key.Algorithm != algorithm)
                {
                    throw new InvalidOperationException($"Key Vault {VaultUri} created key '{name}' as {key.Algorithm}, but {algorithm} was asked for.");
                }

                return key;
            case 409:
                // A deleted key that is still recoverable holds its name until it is recovered or purged.
                throw new KeyAlreadyExistsException(KeyUri.AzureKms(_vaultName, name), "Key Vault: " + ErrorMessage(response));
            case 401 or 403:
                throw Denied(response, name, "create", "permission keys/create (Microsoft.KeyVault/vaults/keys/create/action, in the role Key Vault Crypto Officer); "
                    + "or create the keys at deployment and grant the app only Key Vault Crypto User");
            default:
                throw new RequestFailedException(response);
        }
    }

    private async ValueTask<KeyVaultKey?> GetKeyAsync(string name, string? version, bool async, CancellationToken cancellationToken)
    {
        CheckSegment(name, nameof(name));
        if (version is not null)
        {
            CheckSegment(version, nameof(version));
        }

        using var message = Message(RequestMethod.Get, version is null ? $"keys/{name}" : $"keys/{name}/{version}", body: null);
        var response = await SendAsync(message, async, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            200 => ReadKey(response),
            404 => null,
            401 or 403 => throw Denied(response, name, "read", $"permission keys/get (Microsoft.KeyVault/vaults/keys/read), in {CryptoUser}"),
            _ => throw new RequestFailedException(response),
        };
    }

    private async ValueTask<byte[]> SignAsync(string name, string version, string algorithm, byte[] digest, bool async, CancellationToken cancellationToken)
    {
        CheckSegment(name, nameof(name));
        CheckSegment(version, nameof(version));
        ArgumentException.ThrowIfNullOrEmpty(algorithm);
        ArgumentNullException.ThrowIfNull(digest);

        var body = new JsonObject { ["alg"] = algorithm, ["value"] = Base64Url.EncodeToString(digest) };
        using var message = Message(RequestMethod.Post, $"keys/{name}/{version}/sign", body);
        var response = await SendAsync(message, async, cancellationToken).ConfigureAwait(false);
        switch (response.Status)
        {
            case 200:
                using (var document = JsonDocument.Parse(response.Content.ToMemory()))
                {
                    return Base64Url.DecodeFromChars(document.RootElement.GetProperty("value").GetString());
                }

            case 401 or 403:
                throw Denied(response, name, "sign with", $"permission keys/sign (Microsoft.KeyVault/vaults/keys/sign/action), in {CryptoUser}");
            default:
                throw new RequestFailedException(response);
        }
    }

    private HttpMessage Message(RequestMethod method, string path, JsonObject? body)
    {
        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(new Uri(VaultUri, path));
        request.Uri.AppendQuery("api-version", _apiVersion);
        request.Headers.Add(HttpHeader.Common.JsonAccept);
        if (body is not null)
        {
            request.Headers.Add(HttpHeader.Common.JsonContentType);
            request.Content = RequestContent.Create(BinaryData.FromString(body.ToJsonString()));
        }

        return message;
    }

    private async ValueTask<Response> SendAsync(HttpMessage message, bool async, CancellationToken cancellationToken)
    {
        if (async)
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _pipeline.Send(message, cancellationToken);
        }

        // Callers read the response before their `using` disposes the message.
        return message.Response;
    }

    /// <summary>The key bundle's JSON Web Key as our SPKI; the version is the last segment of <c>kid</c>.</summary>
    private KeyVaultKey ReadKey(Response response)
    {
        using var document = JsonDocument.Parse(response.Content.ToMemory());
        var jwk = document.RootElement.GetProperty("key");
        var kid = new Uri(jwk.GetProperty("kid").GetString() ?? throw Malformed("kid"));
        var segments = kid.AbsolutePath.Trim('/').Split('/');
        if (segments is not ["keys", var name, var version])
        {
            throw Malformed($"kid '{kid}'");
        }

        var kty = jwk.GetProperty("kty").GetString() ?? throw Malformed("kty");
        var operations = jwk.TryGetProperty("key_ops", out var ops) ? ops.EnumerateArray().Select(o => o.GetString() ?? "").ToArray() : [];
        KeyAlgorithm algorithm;
        byte[] spki;
        if (kty is "EC" or "EC-HSM")
        {
            algorithm = jwk.GetProperty("crv").GetString() switch
            {
                "P-256" => KeyAlgorithm.EcP256,
                "P-384" => KeyAlgorithm.EcP384,
                var other => throw new NotSupportedException($"Key '{name}' in {VaultUri} is on curve {other}, which we do not sign with."),
            };
            var size = PublicKeys.FieldSizeBytes(algorithm);
            var point = new byte[1 + (2 * size)];
            point[0] = 0x04;
            CopyPadded(Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()), point.AsSpan(1, size), "x");
            CopyPadded(Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()), point.AsSpan(1 + size, size), "y");
            spki = PublicKeys.FromEcPoint(algorithm, point);
        }
        else if (kty is "RSA" or "RSA-HSM")
        {
            spki = PublicKeys.FromRsa(Base64Url.DecodeFromChars(jwk.GetProperty("n").GetString()), Base64Url.DecodeFromChars(jwk.GetProperty("e").GetString()));
            algorithm = PublicKeys.Identify(spki) ?? throw new NotSupportedException($"Key '{name}' in {VaultUri} is an RSA key of a size we do not sign with.");
        }
        else
        {
            throw new NotSupportedException($"Key '{name}' in {VaultUri} has type {kty}, which we do not sign with.");
        }

        return new KeyVaultKey(name, version, kid, kty, algorithm, spki, operations);
    }

    private static void CopyPadded(byte[] value, Span<byte> destination, string field)
    {
        var trimmed = value.AsSpan().TrimStart((byte)0);
        if (trimmed.Length > destination.Length)
        {
            throw new FormatException($"The JSON Web Key's '{field}' is longer than the curve's field.");
        }

        trimmed.CopyTo(destination[(destination.Length - trimmed.Length)..]);
    }

    private KeyVaultAccessDeniedException Denied(Response response, string name, string operation, string permission) =>
        new(VaultUri, name, operation, permission, response.Status, ErrorMessage(response));

    private static string? ErrorMessage(Response response)
    {
        try
        {
            using var document = JsonDocument.Parse(response.Content.ToMemory());
            return document.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message)
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private FormatException Malformed(string what) => new($"Key Vault {VaultUri} answered a key without a valid {what}.");

    /// <summary>Names and versions become path segments; Key Vault allows only letters, digits and hyphens in them.</summary>
    private static void CheckSegment(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        if (value.Length > 127 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException($"'{value}' is not a Key Vault key name or version (letters, digits and hyphens, up to 127).", parameter);
        }
    }
}
