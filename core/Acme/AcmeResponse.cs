namespace Pki.Core.Acme;

/// <summary>
/// An ACME answer: status, JSON body (or a PEM text), Location and Link headers. The HTTP layer adds the fresh
/// Replay-Nonce, the index link and no-store.
/// </summary>
public sealed record AcmeResponse(int Status, object? Body, string? Location = null, IReadOnlyList<string>? Links = null, string? Pem = null, int? RetryAfterSeconds = null)
{
    public const string PemContentType = "application/pem-certificate-chain";
}
