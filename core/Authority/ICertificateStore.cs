
namespace Pki.Core.Authority;

/// <summary>The narrow store the CA writes through.</summary>
public interface ICertificateStore
{
    /// <summary>Inserts an "issuing" record; its version, or null when the serial is taken (draw another).</summary>
    Task<string?> TryReserveAsync(CertificateRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the reservation issued with its DER if it is still at <paramref name="reservedVersion"/>. False when it
    /// was abandoned meanwhile. A write that landed though its answer was lost counts as done.
    /// </summary>
    Task<bool> TryMarkIssuedAsync(CertificateRecord record, string reservedVersion, CancellationToken cancellationToken = default);

    /// <summary>Writes an issued certificate's expiry index entry (a derived row: safe to write again).</summary>
    Task IndexAsync(CertificateRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks an "issuing" record abandoned (never to be issued), conditional on it not changing meanwhile. Returns the
    /// record as it stands afterwards: abandoned, or issued when its signer stored it first; null when there is none.
    /// </summary>
    Task<CertificateRecord?> AbandonIfIssuingAsync(string serialNumber, CancellationToken cancellationToken = default);

    /// <summary>Keeps the DER of a certificate signed after its reservation was abandoned (never handed out) on that record.</summary>
    Task RecordLateSignatureAsync(CertificateRecord record, CancellationToken cancellationToken = default);

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

    /// <summary>
    /// One page of issued and revoked certificates matching <paramref name="query"/>, at most <paramref name="pageSize"/>,
    /// in storage order; pass the page's token back for the next. A filter on the records' properties across the table,
    /// each call reading at most one page of it.
    /// </summary>
    Task<CertificatePage> QueryAsync(CertificateQuery query, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);
}

/// <summary>The record after a revoke call; Changed is false when it was revoked already.</summary>
public sealed record RevokeResult(CertificateRecord Record, bool Changed);
