using System.Security.Cryptography;
using System.Text;

namespace Pki.Core.Access;

/// <summary>
/// A key in a header, looked up by its SHA-256 among the configured keys. API keys (<c>X-API-Key</c>) serve local
/// and machine callers; function keys (<c>x-functions-key</c>) serve machine callers where they are configured.
/// </summary>
public sealed class KeyAuthenticator : IAuthenticator
{
    public const string ApiKeyHeader = "X-API-Key";
    public const string FunctionKeyHeader = "x-functions-key";

    /// <summary>Longer values are refused unhashed: a key is a short random string.</summary>
    public const int MaxKeyLength = 256;

    private readonly string _header;
    private readonly Dictionary<string, Caller> _callers;

    public KeyAuthenticator(string scheme, string header, IReadOnlyDictionary<string, KeyCredentialOptions> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Scheme = scheme;
        _header = header;
        _callers = keys.ToDictionary(
            k => k.Value.Sha256.ToLowerInvariant(),
            k => new Caller(string.IsNullOrWhiteSpace(k.Value.Identity) ? k.Key : k.Value.Identity!, k.Value.Team, k.Value.Roles, scheme),
            StringComparer.Ordinal);
    }

    public string Scheme { get; }

    public bool Enabled => _callers.Count > 0;

    public Task<AuthenticationResult> AuthenticateAsync(Func<string, string?> header, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        var key = header(_header);
        if (string.IsNullOrEmpty(key))
        {
            return Task.FromResult(AuthenticationResult.None);
        }

        // Only hashes are compared, so timing reveals nothing about a key.
        var result = key.Length <= MaxKeyLength && _callers.TryGetValue(Hash(key), out var caller)
            ? AuthenticationResult.Success(caller)
            : AuthenticationResult.Fail($"The {_header} header does not hold a key this service knows.");
        return Task.FromResult(result);
    }

    /// <summary>The caller of the configured key with this SHA-256, as this authenticator's scheme; null when none is configured.</summary>
    public Caller? CallerOf(string sha256) => _callers.GetValueOrDefault(sha256.ToLowerInvariant());

    /// <summary>The hex SHA-256 that configuration holds for <paramref name="key"/>.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
