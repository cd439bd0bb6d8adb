using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Delivery;
using Pki.Core.Errors;
using Pki.Core.Events;
using Pki.Core.Storage;

namespace Pki.Core.Renewal;

/// <summary>
/// The renewer: for one due certificate, issues the successor for the same key, profile and names through the
/// registration authority's policy, links the two, and records a "renewed" event; or tells the owner why not. A
/// certificate with a Key Vault target is renewed through <see cref="KeyVaultDelivery"/> instead, with a new key.
/// The predecessor stays valid until it expires.
/// </summary>
public sealed class RenewalService(
    ICertificateStore certificates,
    RegistrationAuthority registration,
    CertificateIssuer issuer,
    IRenewalNotifier notifier,
    LifecycleEvents events,
    LifecycleEventRecorder recorder,
    IAuditTrail audit,
    IOptions<PkiOptions> options,
    ILogger<RenewalService> logger,
    KeyVaultDelivery? delivery = null,
    IExternalRenewal? external = null)
{
    /// <summary>One renewals-queue message, try <paramref name="dequeueCount"/>: a failure on the last try is logged as going to poison.</summary>
    public async Task<RenewalOutcome> RenewAsync(RenewalMessage message, long dequeueCount, CancellationToken cancellationToken = default)
    {
        try
        {
            return await RenewAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (QueueRetries.MovesToPoison(dequeueCount, e))
        {
            logger.LogError(e, "Renewal of certificate {SerialNumber} failed {DequeueCount} times; the message moves to the poison queue", message?.SerialNumber, dequeueCount);
            throw;
        }
    }

    /// <exception cref="FormatException">The message names no valid serial; the queue retries, then poisons it.</exception>
    public async Task<RenewalOutcome> RenewAsync(RenewalMessage message, CancellationToken cancellationToken = default)
    {
        string serial;
        try
        {
            serial = SerialNumbers.Normalize(message?.SerialNumber);
        }
        catch (ProblemException e)
        {
            throw new FormatException($"Renewal message without a valid 'serialNumber': {e.Detail}", e);
        }

        var predecessor = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false);
        if (predecessor is null)
        {
            logger.LogWarning("Renewal of certificate {SerialNumber} skipped: it was not issued here", serial);
            return RenewalOutcome.Unknown;
        }

        // A certificate delivered to a Key Vault is renewed there: the vault makes the new key and its CSR, the same
        // policy and CA sign it, and it is merged as the vault certificate's new version.
        if (delivery is not null && await delivery.TryRenewAsync(predecessor, cancellationToken).ConfigureAwait(false) is { } delivered)
        {
            return delivered;
        }

        // Invariant: one successor per certificate. The link is claimed before the successor is signed, so a
        // redelivered or concurrent message finds it and issues nothing.
        if (predecessor.SuccessorSerial is { } existing)
        {
            // The first attempt may have failed after issuing but before its event was recorded: record it again
            // (the event id is deterministic, so the outbox and Service Bus keep one).
            if (await certificates.GetAsync(existing, cancellationToken).ConfigureAwait(false) is { Status: CertificateStatus.Issued } successorRecord
                && successorRecord.PredecessorSerial == serial)
            {
                await recorder.RecordAsync(events.Renewed(successorRecord, serial), CancellationToken.None).ConfigureAwait(false);

                // Likewise its audit records (once keys keep one of each).
                await audit.AppendAsync(CertificateIssuer.IssuedEntry(successorRecord), CancellationToken.None).ConfigureAwait(false);
                await audit.AppendAsync(RenewedEntry(successorRecord, serial), CancellationToken.None).ConfigureAwait(false);
            }

            logger.LogInformation("Certificate {SerialNumber} was renewed already by {SuccessorSerial}", serial, existing);
            return RenewalOutcome.AlreadyRenewed;
        }

        if (predecessor is not { Status: CertificateStatus.Issued, CertificateDer: not null })
        {
            logger.LogInformation("Certificate {SerialNumber} is {Status}; not renewed", serial, predecessor.Status);
            return RenewalOutcome.NotRenewable;
        }

        if (!AutoRenewal.AutoRenews(predecessor))
        {
            // Renewed by someone else (an ACME client): the owner hears only once that renewer's time has passed.
            if (external is not null && await external.CheckAsync(predecessor, cancellationToken).ConfigureAwait(false) is { } decision)
            {
                logger.LogInformation("Certificate {SerialNumber} is renewed externally: {State} {Detail}", serial, decision.State, decision.Detail);
                return decision.State switch
                {
                    ExternalRenewalState.Replaced => RenewalOutcome.AlreadyRenewed,
                    ExternalRenewalState.Waiting => RenewalOutcome.Deferred,
                    _ => await NotifyAsync(predecessor, RenewalNoticeReason.RenewalWindowPassed, decision.Detail, cancellationToken).ConfigureAwait(false),
                };
            }

            return await NotifyAsync(predecessor, RenewalNoticeReason.AutoRenewOff, "Auto-renewal is off for this certificate; request a successor.", cancellationToken).ConfigureAwait(false);
        }

        if (options.Value.Renewal.RequireNewKey)
        {
            return await NotifyAsync(predecessor, RenewalNoticeReason.NewKeyRequired, "Policy requires a new key at renewal; send a CSR for a new key.", cancellationToken).ConfigureAwait(false);
        }

        // The team's current grants apply as to a pipeline's renewal request (TeamRule): one decision for one certificate.
        Authority.Policy.IssuanceRequest request;
        try
        {
            request = registration.ApproveRenewal(predecessor);
        }
        catch (ProblemException e)
        {
            return await NotifyAsync(predecessor, RenewalNoticeReason.PolicyRefused, e.Detail, cancellationToken).ConfigureAwait(false);
        }

        // Reserve the successor's serial, then link it from the predecessor before signing: of two deliveries racing
        // past the check above, the second stops here, before a second certificate exists.
        var reservation = await issuer.ReserveAsync(request with { PredecessorSerial = serial }, Guid.NewGuid().ToString("N"), cancellationToken).ConfigureAwait(false);
        if (await LinkSuccessorAsync(serial, reservation).ConfigureAwait(false) is { } other)
        {
            logger.LogInformation("Certificate {SerialNumber} is being renewed as {LinkedSerial} by another delivery; nothing issued", serial, other);
            return RenewalOutcome.AlreadyRenewed;
        }

        var successor = await issuer.SignAndRecordAsync(reservation).ConfigureAwait(false);

        // The successor's "issued" event goes out before its "renewed" event.
        await issuer.WhenDerivedAsync(successor.SerialNumber).ConfigureAwait(false);
        await recorder.RecordAsync(events.Renewed(successor, serial), CancellationToken.None).ConfigureAwait(false);
        await audit.AppendAsync(RenewedEntry(successor, serial), CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("Renewed certificate {SerialNumber} as {SuccessorSerial} with CA {CaId}", serial, successor.SerialNumber, successor.IssuerId);
        return RenewalOutcome.Renewed;
    }

    private static AuditEntry RenewedEntry(CertificateRecord successor, string predecessorSerial) => AuditEntry.Succeeded(AuditActions.Renew) with
    {
        RequestId = successor.RequestId,
        SerialNumber = successor.SerialNumber,
        Detail = $"renews={predecessorSerial} ca={successor.IssuerId}",
        OnceKey = "renew:" + successor.SerialNumber,
    };

    private async Task<RenewalOutcome> NotifyAsync(CertificateRecord certificate, RenewalNoticeReason reason, string detail, CancellationToken cancellationToken)
    {
        await notifier.NotifyOwnerNotRenewedAsync(new RenewalNotice(certificate, reason, detail), cancellationToken).ConfigureAwait(false);
        return RenewalOutcome.OwnerNotified;
    }

    /// <summary>
    /// Links the reserved successor from its predecessor. Null when linked; otherwise the reservation is given up unsigned
    /// and the result names who renews it instead ("nobody" when the predecessor is no longer renewable).
    /// </summary>
    private async Task<string?> LinkSuccessorAsync(string predecessorSerial, Reservation reservation)
    {
        string? linked;
        try
        {
            linked = await certificates.TryLinkSuccessorAsync(predecessorSerial, reservation.SerialNumber, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await issuer.AbandonAsync(reservation).ConfigureAwait(false);
            throw;
        }

        if (linked == reservation.SerialNumber)
        {
            return null;
        }

        await issuer.AbandonAsync(reservation).ConfigureAwait(false);
        return linked ?? "nobody (no longer renewable)";
    }
}
