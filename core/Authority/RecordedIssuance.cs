using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

namespace Pki.Core.Authority;

/// <summary>
/// The order every signature of a CA key follows (Boulder's): draw a free serial and reserve it with an
/// "issuing" record, sign, then record "issued". So every certificate the key ever signed is in storage.
/// </summary>
public sealed class RecordedIssuance(ICertificateStore store, TimeProvider time, ILogger<RecordedIssuance> logger)
{
    private const int SerialAttempts = 5;

    /// <param name="reserve">The "issuing" record for a drawn serial.</param>
    /// <param name="sign">Builds and signs the certificate for the reserved record.</param>
    /// <param name="beforeSigning">Called with the reserved serial before the signature is made.</param>
    /// <exception cref="CertificateNotRecordedException">Signed, but the "issued" record could not be written.</exception>
    public async Task<CertificateRecord> SignAsync(
        Func<BigInteger, CertificateRecord> reserve,
        Func<BigInteger, CertificateRecord, X509Certificate> sign,
        Func<string, CancellationToken, Task>? beforeSigning = null,
        CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; attempt <= SerialAttempts; attempt++)
        {
            var serial = SerialNumbers.New();
            var record = reserve(serial);
            if (!await store.TryReserveAsync(record, cancellationToken).ConfigureAwait(false))
            {
                logger.LogWarning("Serial {SerialNumber} collided on attempt {Attempt}; drawing another", record.SerialNumber, attempt);
                continue;
            }

            // From here on the caller's cancellation is ignored: a reserved serial is carried to the end.
            if (beforeSigning is not null)
            {
                await beforeSigning(record.SerialNumber, CancellationToken.None).ConfigureAwait(false);
            }

            logger.LogInformation("Signing certificate {SerialNumber} for request {RequestId} with CA {CaId}, profile {Profile}", record.SerialNumber, record.RequestId, record.IssuerId, record.Profile);
            var certificate = sign(serial, record);
            logger.LogInformation("Signed certificate {SerialNumber} for request {RequestId} with CA {CaId}", record.SerialNumber, record.RequestId, record.IssuerId);

            var issued = record with { Status = CertificateStatus.Issued, CertificateDer = certificate.GetEncoded(), IssuedAt = time.GetUtcNow() };
            try
            {
                await store.MarkIssuedAsync(issued, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Signed certificate {SerialNumber} for request {RequestId} could not be recorded", record.SerialNumber, record.RequestId);
                throw new CertificateNotRecordedException(record.SerialNumber, e);
            }

            return issued;
        }

        throw new InvalidOperationException($"No free serial after {SerialAttempts} draws; the CSPRNG or the store is broken.");
    }
}
