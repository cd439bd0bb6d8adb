namespace Pki.Core.Revocation.Ocsp;

/// <summary>What the responder sends: always an OCSPResponse; cache fields only for a cacheable one (no nonce).</summary>
/// <param name="Outcome">For logs: good, revoked, unknown, or the error status.</param>
/// <param name="NextUpdate">Set only when HTTP caches may keep the reply until then.</param>
public sealed record OcspReply(byte[] Body, string Outcome, DateTimeOffset? ThisUpdate = null, DateTimeOffset? NextUpdate = null);
