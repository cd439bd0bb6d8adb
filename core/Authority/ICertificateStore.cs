using Pki.Core.Revocation;

namespace Pki.Core.Authority;

/// <summary>The narrow store the CA writes through.</summary>
public interface ICertificateStore
{
    /// <summary>Inserts an "issuing" record; false when the serial is taken (draw another).</summary>
    Task<bool> TryReserveAsync(CertificateRecord record, CancellationToken cancellationToken = default);

    /// <summary>Writes the expiry index entry, then marks the record issued with its DER.</summary>
    Task MarkIssuedAsync(CertificateRecord record, CancellationToken cancellationToken = default);

    Task<CertificateRecord?> GetAsync(string serialNumber, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks an issued certificate revoked (conditional on the record not changing meanwhile); a revoked
    /// one is returned unchanged. Null when no issued certificate has that serial.
    /// </summary>
    /// <summary>
    /// Sets the predecessor's successor link, conditional on the record not changing meanwhile. Returns the
    /// successor it links to afterwards: <paramref name="successorSerial"/>, or the one linked before (a renewal
    /// raced us). Null when no issued certificate has that serial.
    /// </summary>
    Task<string?> TryLinkSuccessorAsync(string predecessorSerial, string successorSerial, CancellationToken cancellationToken = default);

    Task<RevokeResult?> TryRevokeAsync(string serialNumber, DateTimeOffset revokedAt, RevocationReason reason, CancellationToken cancellationToken = default);
}

/// <summary>The record after a revoke call; Changed is false when it was revoked already.</summary>
public sealed record RevokeResult(CertificateRecord Record, bool Changed);
