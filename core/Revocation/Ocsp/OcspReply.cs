namespace Pki.Core.Revocation.Ocsp;

/// <summary>What the responder sends: always an OCSPResponse; cache fields only for a cacheable one (no nonce).</summary>
/// <param name="Outcome">For logs: good, revoked, unknown, or the error status.</param>
public sealed record OcspReply(byte[] Body, string Outcome, DateTimeOffset? ThisUpdate = null, DateTimeOffset? NextUpdate = null, OcspCertStatus? Status = null)
{
    public bool Cacheable => NextUpdate is not null;
}
