namespace Pki.Core.Acme;

/// <summary>One challenge of an authorization, with each validation attempt's outcome counted and the last error kept.</summary>
public sealed record AcmeChallenge(string Type, string Token, string Status, int Attempts = 0, DateTimeOffset? Validated = null, string? ErrorType = null, string? ErrorDetail = null)
{
    public const string Http01 = "http-01";

    /// <summary>RFC 8737: a TLS handshake with ALPN acme-tls/1 shows a certificate holding the key authorization's digest.</summary>
    public const string TlsAlpn01 = "tls-alpn-01";

    /// <summary>RFC 8555 §8.4: a TXT record at _acme-challenge.{name} holds the key authorization's digest.</summary>
    public const string Dns01 = "dns-01";
}
