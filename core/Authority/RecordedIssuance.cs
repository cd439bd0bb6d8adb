using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

namespace Pki.Core.Authority;

/// <summary>
/// The order every signature of a CA key follows (Boulder's): draw a free serial and reserve it with an
/// "issuing" record, sign, then record "issued" if the reservation still stands. So every certificate the key ever
/// signed is in storage, and one abandoned by a retry is never issued.
/// </summary>
public sealed class RecordedIssuance(ICertificateStore store, TimeProvider time, ILogger<RecordedIssuance> logger)
{
    private const int SerialAttempts = 5;

    /// <param name="reserve">The "issuing" record for a drawn serial.</param>
    /// <param name="sign">Builds and signs the certificate for the reserved record.</param>
    /// <param name="beforeSigning">Called with the reserved serial before the signature is made.</param>
    /// <param name="beforeReserving">Called with a drawn serial before it is reserved (the issuance journal's entry).</param>
    /// <exception cref="CertificateNotRecordedException">Signed, but the "issued" record could not be written.</exception>
    /// <exception cref="ReservationAbandonedException">Signed after a retry abandoned the reservation; not issued.</exception>
    public async Task<CertificateRecord> SignAsync(
        Func<BigInteger, CertificateRecord> reserve,
        Func<BigInteger, CertificateRecord, X509Certificate> sign,
        Func<string, CancellationToken, Task>? beforeSigning = null,
        CancellationToken cancellationToken = default,
        Func<string, CancellationToken, Task>? beforeReserving = null)
    {
        for (var attempt = 1; attempt <= SerialAttempts; attempt++)
        {
            var serial = SerialNumbers.New();
            var record = reserve(serial);
            if (beforeReserving is not null)
            {
                await beforeReserving(record.SerialNumber, cancellationToken).ConfigureAwait(false);
            }

            var reservedVersion = await store.TryReserveAsync(record, cancellationToken).ConfigureAwait(false);
            if (reservedVersion is null)
            {
                logger.LogWarning("Serial {SerialNumber} collided on attempt {Attempt}; drawing another", record.SerialNumber, attempt);
                continue;
            }

            // From here on the caller's cancellation is ignored: a reserved serial is carried to the end.
            if (beforeSigning is not null)
            {
                try
                {
                    await beforeSigning(record.SerialNumber, CancellationToken.None).ConfigureAwait(false);
                }
                catch
                {
                    await TryAbandonAsync(record).ConfigureAwait(false);
                    throw;
                }
            }

            logger.LogInformation("Signing certificate {SerialNumber} for request {RequestId} with CA {CaId}, profile {Profile}", record.SerialNumber, record.RequestId, record.IssuerId, record.Profile);
            var certificate = sign(serial, record);
            logger.LogInformation("Signed certificate {SerialNumber} for request {RequestId} with CA {CaId}", record.SerialNumber, record.RequestId, record.IssuerId);

            var issued = record with { Status = CertificateStatus.Issued, CertificateDer = certificate.GetEncoded(), IssuedAt = time.GetUtcNow() };
            bool marked;
            try
            {
                marked = await store.TryMarkIssuedAsync(issued, reservedVersion, CancellationToken.None).ConfigureAwait(false);
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

        throw new InvalidOperationException($"No free serial after {SerialAttempts} draws; the CSPRNG or the store is broken.");
    }

    /// <summary>A reservation whose request stopped before signing is recorded as never issued, not left "issuing".</summary>
    private async Task TryAbandonAsync(CertificateRecord record)
    {
        try
        {
            await store.AbandonIfIssuingAsync(record.SerialNumber, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not mark the unused reservation {SerialNumber} of request {RequestId} abandoned", record.SerialNumber, record.RequestId);
        }
    }
}
