using System.Security.Cryptography;
using System.Text;

namespace Pki.Core.Access.Sessions;

/// <summary>
/// The session cookie and the CSRF token bound to it. The cookie carries 256 random bits; the store knows only their
/// SHA-256. The CSRF token is an HMAC of a fixed label keyed with the session id, so only a holder of the HttpOnly cookie's
/// value (the server) can compute it, and the dashboard learns it only from the sign-in and session answers.
/// </summary>
public static class SessionCookie
{
    public const string Name = "pki-session";

    /// <summary>The header a state-changing call made with the session cookie must carry.</summary>
    public const string CsrfHeader = "X-CSRF-Token";

    private const int IdBytes = 32;
    private const int MaxCookieHeaderLength = 8 * 1024;
    private static readonly byte[] CsrfLabel = Encoding.ASCII.GetBytes("serverless-pki csrf v1");

    public static string NewId() => Base64Url(RandomNumberGenerator.GetBytes(IdBytes));

    public static string Hash(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(id)));

    public static string CsrfToken(string id) => Base64Url(HMACSHA256.HashData(Encoding.ASCII.GetBytes(id), CsrfLabel));

    /// <summary>Whether <paramref name="token"/> is the CSRF token of session <paramref name="id"/> (compared in fixed time).</summary>
    public static bool CsrfHolds(string id, string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(CsrfToken(id)), Encoding.ASCII.GetBytes(token));

    /// <summary>
    /// The session id in a Cookie header (RFC 6265 5.4: "name=value; name=value"); null when there is none. A value
    /// that cannot be an id of ours is returned as it is, so the authenticator refuses it rather than ignoring it.
    /// </summary>
    public static string? Read(string? cookieHeader) => Read(cookieHeader, Name);

    /// <summary>The value of cookie <paramref name="name"/> in a Cookie header; null when there is none.</summary>
    public static string? Read(string? cookieHeader, string name)
    {
        if (string.IsNullOrEmpty(cookieHeader) || cookieHeader.Length > MaxCookieHeaderLength)
        {
            return null;
        }

        foreach (var pair in cookieHeader.Split(';'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && pair.AsSpan(0, eq).Trim().SequenceEqual(name))
            {
                return pair[(eq + 1)..].Trim();
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="id"/> has the shape <see cref="NewId"/> gives (43 base64url characters).</summary>
    public static bool IsWellFormed(string id) =>
        id.Length == 43 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
