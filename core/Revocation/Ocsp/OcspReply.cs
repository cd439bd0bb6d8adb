using System.Security.Cryptography;

namespace Pki.Core.Revocation.Ocsp;

/// <summary>What the responder sends: always an OCSPResponse; cache fields only for a cacheable one (no nonce).</summary>
/// <param name="outcome">For logs: good, revoked, unknown, or the error status.</param>
/// <param name="nextUpdate">Set only when HTTP caches may keep the reply until then.</param>
/// <remarks>A class, not a record: a copy made with <c>with</c> would carry the fingerprint of another body.</remarks>
public sealed class OcspReply(byte[] body, string outcome, DateTimeOffset? thisUpdate = null, DateTimeOffset? nextUpdate = null)
{
    private const int FingerprintBytes = 16;

    private string? _fingerprint;

    public byte[] Body { get; } = body;

    public string Outcome { get; } = outcome;

    public DateTimeOffset? ThisUpdate { get; } = thisUpdate;

    public DateTimeOffset? NextUpdate { get; } = nextUpdate;

    /// <summary>
    /// The first 16 bytes of the body's SHA-256 in hex (an HTTP entity tag). Computed once per reply: the responder's
    /// cache hands out one reply for every repeat of a request, so a hash per request would be wasted work.
    /// </summary>
    public string Fingerprint => _fingerprint ??= Convert.ToHexStringLower(SHA256.HashData(Body).AsSpan(0, FingerprintBytes));
}
