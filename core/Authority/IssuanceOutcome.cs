namespace Pki.Core.Authority;

/// <summary>The certificate, and whether it was issued by this call or replayed for a repeated idempotency key.</summary>
public sealed record IssuanceOutcome(CertificateView Certificate, bool Replayed);
