using Microsoft.Extensions.Logging;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Errors;

namespace Pki.Core.Acme;

/// <summary>
/// The admin's "renew this certificate early": the ACME certificate's renewal window (RFC 9773) opens now, so its client
/// renews at its next renewalInfo check. Idempotent (the first request's time stays); audited; changes nothing else
/// (the certificate stays valid until its successor replaces it or someone revokes it).
/// </summary>
public sealed class AcmeEarlyRenewal(ICertificateStore certificates, IAcmeStore store, IAuditTrail audit, TimeProvider time, ILogger<AcmeEarlyRenewal> logger)
{
    public async Task<AcmeEarlyRenewalView> RenewEarlyAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        try
        {
            var serial = SerialNumbers.Normalize(serialNumber);
            var record = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false);
            if (record is not { Status: CertificateStatus.Issued or CertificateStatus.Revoked })
            {
                throw ProblemException.NotFound("unknown-certificate", $"No certificate with serial number {serial} was issued here.");
            }

            if (record.Status == CertificateStatus.Revoked)
            {
                throw ProblemException.Conflict("certificate-revoked", $"Certificate {serial} is revoked; its renewal window lies in the past already.");
            }

            var now = time.GetUtcNow();
            var marked = await store.TryMarkRenewEarlyAsync(serial, now, cancellationToken).ConfigureAwait(false)
                ?? throw ProblemException.Conflict("not-an-acme-certificate", $"Certificate {serial} was not issued through ACME; renewal information is for ACME clients (renew it through the API).");
            if (marked.RenewEarlyAt == now)
            {
                await audit.AppendAsync(AuditEntry.Succeeded(AcmeAuditActions.RenewEarly) with { SerialNumber = serial, TargetId = serial, Detail = $"ACME certificate {serial} renewal window opened early" }, CancellationToken.None).ConfigureAwait(false);
                logger.LogInformation("ACME certificate {SerialNumber} marked for early renewal at {RenewEarlyAt}", serial, now);
            }

            var (start, end) = AcmeRenewalInfoService.Window(record, marked.RenewEarlyAt, now);
            return new AcmeEarlyRenewalView(serial, marked.RenewEarlyAt!.Value, new AcmeRenewalInfoService.WindowBody(start, end));
        }
        catch (ProblemException e)
        {
            await audit.AppendAsync(AuditEntry.Refused(AcmeAuditActions.RenewEarly, e) with { SerialNumber = serialNumber }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }
}
