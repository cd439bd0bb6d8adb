using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Delivery;
using Pki.Core.Errors;

namespace Pki.Core.Renewal;

/// <summary>
/// An admin's "renew early" for any certificate issued here. A certificate its ACME client renews gets its renewal
/// window opened (<see cref="IExternalEarlyRenewal"/>); any other is put on the renewals queue now, as if it had fallen
/// due, so the renewer does what it does with a due certificate: renews it in its Key Vault target, issues a successor
/// for the same key when it renews itself, or tells its owner to send a CSR. Refused (and changes nothing) for an
/// unknown, unissued, revoked or expired certificate, or one that has a successor already. Pressing twice is harmless:
/// the renewer claims the successor link before it signs, so a second message issues nothing.
/// </summary>
public sealed class EarlyRenewalService(
    ICertificateStore certificates,
    IRenewalQueue queue,
    IDeliveryStore deliveries,
    IAuditTrail audit,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<EarlyRenewalService> logger,
    IExternalEarlyRenewal? external = null)
{
    public async Task<EarlyRenewalView> RenewEarlyAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        try
        {
            var serial = SerialNumbers.Normalize(serialNumber);
            var record = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false)
                ?? throw ProblemException.NotFound("unknown-certificate", $"No certificate with serial number {serial} was issued here.");
            var now = time.GetUtcNow();
            Refuse(record, now);

            if (external is not null && await external.TryRenewEarlyAsync(record, cancellationToken).ConfigureAwait(false) is { } opened)
            {
                // Its ACME client renews it: a successor from the renewer would never reach the client. The ACME service audits the mark.
                return new EarlyRenewalView(serial, EarlyRenewalActions.AcmeWindow, opened.Detail, opened.RequestedAt, opened.WindowStart, opened.WindowEnd);
            }

            var (action, detail) = await ForecastAsync(record, cancellationToken).ConfigureAwait(false);
            await queue.SendAsync(new RenewalMessage(serial), cancellationToken).ConfigureAwait(false);
            await audit.AppendAsync(AuditEntry.Succeeded(AuditActions.RenewEarly) with { SerialNumber = serial, TargetId = serial, Detail = $"action={action} ca={record.IssuerId}" }, CancellationToken.None).ConfigureAwait(false);
            logger.LogInformation("Certificate {SerialNumber} of CA {CaId} queued for early renewal: {Action}", serial, record.IssuerId, action);
            return new EarlyRenewalView(serial, action, detail, now);
        }
        catch (ProblemException e)
        {
            await audit.AppendAsync(AuditEntry.Refused(AuditActions.RenewEarly, e) with { SerialNumber = serialNumber, TargetId = serialNumber }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private static void Refuse(CertificateRecord record, DateTimeOffset now)
    {
        var serial = record.SerialNumber;
        switch (record.Status)
        {
            case CertificateStatus.Revoked:
                throw ProblemException.Conflict("certificate-revoked", $"Certificate {serial} is revoked; a revoked certificate is replaced by a new request (POST /api/certificates), never renewed.");
            case not CertificateStatus.Issued:
                throw ProblemException.Conflict("certificate-not-issued", $"Certificate {serial} is {record.Status.ToString().ToLowerInvariant()}, not issued: there is nothing to renew.");
        }

        if (record.NotAfter <= now)
        {
            throw ProblemException.Conflict("certificate-expired", $"Certificate {serial} expired at {record.NotAfter:O}; request a new certificate (POST /api/certificates) instead.");
        }

        // One successor per certificate: the renewer's link claim, read here so that a second press says so instead of queueing in vain.
        if (record.SuccessorSerial is { } successor)
        {
            throw ProblemException.Conflict("certificate-already-renewed", $"Certificate {serial} has a successor already ({successor}), or one is being issued.");
        }
    }

    /// <summary>What the renewer will do with the message, by the rules it applies (<see cref="RenewalService"/>).</summary>
    private async Task<(string Action, string Detail)> ForecastAsync(CertificateRecord record, CancellationToken cancellationToken)
    {
        if (!AutoRenewal.AutoRenews(record))
        {
            return (EarlyRenewalActions.OwnerNotice, $"Auto-renewal is off for this certificate: its owner {record.Owner} is asked to request a successor.");
        }

        if (await deliveries.GetTargetAsync(record.SerialNumber, cancellationToken).ConfigureAwait(false) is { } target)
        {
            return (EarlyRenewalActions.KeyVault, $"Its Key Vault target {target.Id} makes a new key and the successor is merged there.");
        }

        return options.Value.Renewal.RequireNewKey
            ? (EarlyRenewalActions.OwnerNotice, $"Policy requires a new key at renewal: its owner {record.Owner} is asked to send a CSR for a new key.")
            : (EarlyRenewalActions.Successor, "A successor for the same key, names and profile is issued (policy permitting; otherwise its owner is told why).");
    }
}
