using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

namespace Pki.Core.Authority;

/// <summary>
/// The order every signature of a CA key follows (Boulder's), in three steps: <see cref="ReserveAsync"/> draws a free
/// serial and reserves it with an "issuing" record; the caller signs; <see cref="RecordAsync"/> records "issued" if the
/// reservation still stands (or <see cref="TryAbandonAsync"/> when the caller stopped before signing). So every certificate the key ever signed is in storage, and one abandoned by a retry is
/// never issued.
/// </summary>
public sealed class RecordedIssuance(ICertificateStore store, IIssuanceJournal journal, TimeProvider time, ILogger<RecordedIssuance> logger, SerialPartitions? partitions = null)
{
    private const int SerialAttempts = 5;

    private readonly SerialPartitions _partitions = partitions ?? new SerialPartitions(time);

    /// <summary>
    /// Draws serials until one is free and stores its "issuing" record; a <see cref="ReservationDraft.Journaled"/>
    /// draft's journal entry is opened first, so no crash leaves a reservation (or a signature) nobody finishes.
    /// </summary>
    public async Task<ReservedSerial> ReserveAsync(ReservationDraft draft, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        for (var attempt = 1; attempt <= SerialAttempts; attempt++)
        {
            var serial = SerialNumbers.New(_partitions.Current);
            var record = draft.For(serial);
            if (draft.Journaled)
            {
                await journal.OpenAsync(IssuanceJournalEntry.Of(record), cancellationToken).ConfigureAwait(false);
            }

            if (await store.TryReserveAsync(record, cancellationToken).ConfigureAwait(false) is { } version)
            {
                return new ReservedSerial(serial, record, version);
            }

            logger.LogWarning("Serial {SerialNumber} collided on attempt {Attempt}; drawing another", record.SerialNumber, attempt);
        }

        throw new InvalidOperationException($"No free serial after {SerialAttempts} draws; the CSPRNG or the store is broken.");
    }

    /// <summary>Records the signed certificate as issued, if its reservation still stands.</summary>
    /// <exception cref="CertificateNotRecordedException">Signed, but the "issued" record could not be written.</exception>
    /// <exception cref="ReservationAbandonedException">Signed after a retry abandoned the reservation; not issued.</exception>
    public async Task<CertificateRecord> RecordAsync(ReservedSerial reserved, X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(reserved);
        ArgumentNullException.ThrowIfNull(certificate);
        var record = reserved.Record;
        var issued = record with { Status = CertificateStatus.Issued, CertificateDer = certificate.GetEncoded(), IssuedAt = time.GetUtcNow() };
        bool marked;
        try
        {
            marked = await store.TryMarkIssuedAsync(issued, reserved.Version, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Signed certificate {SerialNumber} for request {RequestId} could not be recorded", record.SerialNumber, record.RequestId);
            throw new CertificateNotRecordedException(record.SerialNumber, e);
        }

        // Invariant: a reservation a retry abandoned (its request presumed dead) is never issued. The signature is
        // kept on the abandoned record, so the key's every signature is still in storage, and never handed out.
        if (!marked)
        {
            await store.RecordLateSignatureAsync(issued, CancellationToken.None).ConfigureAwait(false);
            logger.LogWarning("Certificate {SerialNumber} for request {RequestId} was signed after a retry abandoned its reservation; kept, not handed out", record.SerialNumber, record.RequestId);
            throw new ReservationAbandonedException(record.SerialNumber);
        }

        return issued;
    }

    /// <summary>A reservation whose request stopped before signing is recorded as never issued, not left "issuing".</summary>
    public async Task TryAbandonAsync(ReservedSerial reserved)
    {
        ArgumentNullException.ThrowIfNull(reserved);
        try
        {
            await store.AbandonIfIssuingAsync(reserved.Record.SerialNumber, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not mark the unused reservation {SerialNumber} of request {RequestId} abandoned", reserved.Record.SerialNumber, reserved.Record.RequestId);
        }
    }
}

/// <summary>A serial reserved by its "issuing" record, stored at <paramref name="Version"/>; nothing is signed yet.</summary>
public sealed record ReservedSerial(BigInteger Serial, CertificateRecord Record, string Version)
{
    public string SerialNumber => Record.SerialNumber;
}
