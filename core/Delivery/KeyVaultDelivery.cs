using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Certificates;
using CertificateIssuer = Pki.Core.Authority.CertificateIssuer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Authority.Approvals;
using Pki.Core.Authority.Policy;
using Pki.Core.Discovery.KeyVault;
using Pki.Core.Errors;
using Pki.Core.Events;
using Pki.Core.Inventory;
using Pki.Core.Renewal;

namespace Pki.Core.Delivery;

/// <summary>
/// Key Vault enrollment, the last mile: the vault creates the key and its CSR (a pending operation with the issuer
/// <c>Unknown</c>), the CSR goes through the registration authority and the CA like any request, and the certificate
/// with its chain is merged into the pending operation, so the vault's current version is the new certificate and
/// the key never left the vault. Enrollment (a team's request), renewal (the renewer, for a certificate with a Key
/// Vault target) and the resume pass (a timer) all advance the same stored operation, step by step, each step safe to
/// repeat: a serial once reserved is never signed twice, and a merge happens only when the vault's current version is
/// not the certificate already. A profile that requires approval holds the vault's CSR as a request for approval;
/// the operation waits for the decision (approved: the approval signs, the operation merges; rejected or expired: the
/// vault's pending operation is deleted).
/// </summary>
public sealed class KeyVaultDelivery(
    IDeliveryStore store,
    IKeyVaultClientFactory vaults,
    ProfileCatalog profiles,
    RegistrationAuthority registration,
    ApprovalService approvals,
    CertificateIssuer issuer,
    ICertificateStore certificates,
    AuthorityDirectory authorities,
    LifecycleEvents events,
    LifecycleEventRecorder recorder,
    IAuditTrail audit,
    IDeliveryNotifier notifier,
    InventoryRecorder inventory,
    CallerContext callers,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<KeyVaultDelivery> logger)
{
    /// <summary>Who requests a Key Vault renewal's successor held for approval: the service on behalf of the predecessor's team, never an approver.</summary>
    public const string RenewalRequesterId = "key-vault-renewal";

    private DeliveryOptions Settings => options.Value.Delivery;

    /// <summary>
    /// A team's request for a certificate in its vault: checked by policy before anything is stored (a refusal leaves
    /// neither a row nor a pending operation in the vault), then created, signed and merged as far as the vault lets.
    /// </summary>
    /// <exception cref="ProblemException">Bad input, a vault not configured as a target, policy's refusal, or an operation already in flight (409).</exception>
    public async Task<DeliveryResult> EnrollAsync(KeyVaultEnrollmentInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var team = Teams.Resolve(input.Team, callers.Current);
        var target = AllowedTarget(input.VaultUri, input.CertificateName, team);
        var profile = profiles.Get(input.Profile);

        var (keyType, keySize) = KeyOf(input.KeyType, input.KeySize);
        var exportable = input.Exportable ?? false;
        if (exportable && keyType.EndsWith("-HSM", StringComparison.Ordinal))
        {
            throw ProblemException.BadRequest("invalid-key-type", "An HSM-protected key cannot be exportable.");
        }

        var names = (input.DnsNames ?? []).Select(n => n?.Trim().TrimEnd('.').ToLowerInvariant() ?? "").ToArray();
        if (names.Length > 100 || names.Any(n => n.Length is 0 or > 253))
        {
            throw ProblemException.BadRequest("invalid-dns-names", "'dnsNames' holds 0 to 100 DNS names of 1 to 253 characters.");
        }

        var commonName = string.IsNullOrWhiteSpace(input.CommonName) ? names.FirstOrDefault() : input.CommonName.Trim();
        if (commonName is null || commonName.Length > CertificateIssuer.MaxCommonNameLength || commonName.Any(c => c is ',' or '+' or '=' or '"' or '\\' or '<' or '>' or ';' || char.IsControl(c)))
        {
            throw ProblemException.BadRequest("invalid-common-name", $"Give 'dnsNames' or a 'commonName' of at most {CertificateIssuer.MaxCommonNameLength} characters without DN special characters.");
        }

        // Policy first, on the names and lifetime asked for, with a throwaway key: the vault's own CSR is checked again
        // (its key and that it names exactly these), but a refusal must not leave a key behind in the team's vault.
        await ApproveAsync(() => registration.Approve(new CertificateRequestInput(ProbeCsr(commonName, names), profile.Name, input.Owner, input.ValidityDays, input.AutoRenew, team)), predecessor: null).ConfigureAwait(false);

        var now = time.GetUtcNow();
        var caller = callers.Current;
        var operation = new DeliveryOperation(target, DeliveryKind.Enroll, NewRequestId(), profile.Name, input.Owner!.Trim(), team, names, commonName,
            input.ValidityDays, input.AutoRenew, keyType, keySize, exportable, ReuseKey: false, now, NextAttemptAt: now,
            RequesterId: caller.Id, RequesterTeam: caller.Team, RequesterRoles: [.. caller.Roles.Order(StringComparer.Ordinal)]);
        var added = await store.TryAddAsync(operation, cancellationToken).ConfigureAwait(false)
            ?? throw ProblemException.Conflict("delivery-in-progress", $"An operation for Key Vault certificate {target.Id} is in flight; see its state at {Routes.Prefix}/{Routes.Certificates}/{{serialNumber}}/delivery once issued, or retry later.");
        logger.LogInformation("Key Vault enrollment {RequestId} started for {VaultCertificate}, team {Team}", added.RequestId, target.Id, team);
        return await AdvanceAsync(added, rethrowRefusal: true, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// The renewer's hook: null when the certificate has no Key Vault target (the renewer renews it as before);
    /// otherwise the successor is made in the vault (a new key unless the profile is among <c>ReuseKeyProfiles</c>).
    /// Null as well when auto-renewal is off, so the renewer tells the owner as for any certificate.
    /// </summary>
    public async Task<RenewalOutcome?> TryRenewAsync(CertificateRecord predecessor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predecessor);
        if (await store.GetTargetAsync(predecessor.SerialNumber, cancellationToken).ConfigureAwait(false) is not { } target)
        {
            return null;
        }

        if (await store.GetAsync(target, cancellationToken).ConfigureAwait(false) is { } open)
        {
            if (open.Kind == DeliveryKind.Renew && open.PredecessorSerial == predecessor.SerialNumber)
            {
                return Outcome(await AdvanceAsync(open, rethrowRefusal: false, cancellationToken).ConfigureAwait(false));
            }

            logger.LogWarning("Renewal of certificate {SerialNumber} waits: Key Vault certificate {VaultCertificate} has another operation in flight ({Kind} {RequestId})",
                predecessor.SerialNumber, target.Id, open.Kind, open.RequestId);
            return RenewalOutcome.Deferred;
        }

        if (predecessor.SuccessorSerial is { } successorSerial)
        {
            // Delivered before, and the message came again: the event once more (its id is deterministic), nothing else.
            if (await certificates.GetAsync(successorSerial, cancellationToken).ConfigureAwait(false) is { Status: CertificateStatus.Issued } successor
                && successor.PredecessorSerial == predecessor.SerialNumber)
            {
                await recorder.RecordAsync(RenewedEvent(successor, predecessor.SerialNumber, target), CancellationToken.None).ConfigureAwait(false);
            }

            return RenewalOutcome.AlreadyRenewed;
        }

        if (predecessor is not { Status: CertificateStatus.Issued, CertificateDer: { } der } || !AutoRenewal.AutoRenews(predecessor))
        {
            return null;
        }

        // Policy on the predecessor's names and team grants before the vault makes a key: a refusal goes back to the
        // renewer, which tells the owner why, as for any certificate, and leaves nothing in the vault.
        try
        {
            registration.ApproveRenewal(predecessor, heldForApproval: true);
        }
        catch (ProblemException)
        {
            return null;
        }

        var subject = IssuedCertificateReader.Read(der);

        // A new key of the kind the vault certificate was enrolled with (HSM or not, exportable or not); for a target
        // set by hand on a certificate from a CSR, of the predecessor's type and size, software-protected, not exportable.
        var (keyType, keySize) = KeyOfCertificate(der);
        var enrolled = await store.GetKeySettingsAsync(predecessor.SerialNumber, cancellationToken).ConfigureAwait(false);
        if (enrolled is not null)
        {
            (keyType, keySize) = (enrolled.KeyType, enrolled.KeySize);
        }

        var now = time.GetUtcNow();
        var reuse = Settings.ReuseKeyProfiles.Contains(predecessor.Profile, StringComparer.Ordinal) && !options.Value.Renewal.RequireNewKey;
        var operation = new DeliveryOperation(target, DeliveryKind.Renew, NewRequestId(), predecessor.Profile, predecessor.Owner, predecessor.Team,
            [.. subject.DnsNames], subject.CommonName ?? subject.DnsNames.FirstOrDefault(), LifetimeDays(predecessor), predecessor.AutoRenew,
            keyType, keySize, enrolled?.Exportable ?? false, reuse, now, PredecessorSerial: predecessor.SerialNumber, NextAttemptAt: now,
            RequesterId: RenewalRequesterId, RequesterTeam: predecessor.Team, RequesterRoles: [Roles.Requester]);
        if (await store.TryAddAsync(operation, cancellationToken).ConfigureAwait(false) is not { } added)
        {
            // Another delivery of this message added it a moment ago; it advances the operation.
            return RenewalOutcome.Deferred;
        }

        return Outcome(await AdvanceAsync(added, rethrowRefusal: false, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The resume pass: every operation in flight whose wait is over and that no host holds is advanced one more time,
    /// from the step its row records. One failing operation does not stop the others.
    /// </summary>
    public async Task<DeliveryPassOutcome> ResumeAsync(CancellationToken cancellationToken = default)
    {
        int delivered = 0, pending = 0, cancelled = 0, waiting = 0, failed = 0;
        var now = time.GetUtcNow();
        var due = new List<DeliveryOperation>();
        await foreach (var operation in store.ListOpenAsync(cancellationToken).ConfigureAwait(false))
        {
            if (operation.NextAttemptAt > now || operation.LeaseUntil > now)
            {
                waiting++;
                continue;
            }

            due.Add(operation);
        }

        foreach (var operation in due)
        {
            try
            {
                // Held for approval and still undecided: a point read of the request each pass, no write.
                if (operation is { ApprovalRequestId: { } held, SerialNumber: null }
                    && await approvals.DecisionAsync(held, cancellationToken).ConfigureAwait(false) is { } decision && IsUndecided(decision))
                {
                    waiting++;
                    continue;
                }

                switch ((await AdvanceAsync(operation, rethrowRefusal: false, cancellationToken).ConfigureAwait(false)).Status)
                {
                    case DeliveryStatus.Delivered: delivered++; break;
                    case DeliveryStatus.Cancelled: cancelled++; break;
                    default: pending++; break;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed++;
                logger.LogError(e, "Key Vault operation {RequestId} for {VaultCertificate} failed unexpectedly; the next pass tries again", operation.RequestId, operation.Target.Id);
            }
        }

        return new DeliveryPassOutcome(delivered, pending, cancelled, waiting, failed);
    }

    /// <summary>A certificate's target and the operation in flight for it, if any. Another team's certificate is answered as unknown.</summary>
    public async Task<DeliveryView> GetAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        var record = await ReadableAsync(serialNumber, cancellationToken).ConfigureAwait(false);
        var target = await store.GetTargetAsync(record.SerialNumber, cancellationToken).ConfigureAwait(false)
            ?? throw ProblemException.NotFound("no-delivery-target", $"Certificate {record.SerialNumber} has no delivery target; set one with PUT.");
        return await ViewAsync(record, target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sets or changes a certificate's target (an admin, or the owning team); its renewals are delivered there from
    /// now on. The certificate itself is not moved: the next renewal lands in the new vault certificate.
    /// </summary>
    public async Task<DeliveryView> SetTargetAsync(string serialNumber, DeliveryTargetInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var record = await ReadableAsync(serialNumber, cancellationToken).ConfigureAwait(false);
        if (!callers.Current.CanManage(record.Team))
        {
            throw ProblemException.Forbidden("team-not-yours", $"Only team '{record.Team ?? "none"}' or an admin may change where certificate {record.SerialNumber} is delivered.");
        }

        var target = AllowedTarget(input.VaultUri, input.CertificateName, record.Team);
        await store.SetTargetAsync(record.SerialNumber, target, key: null, cancellationToken).ConfigureAwait(false);
        await audit.AppendAsync(AuditEntry.Succeeded(AuditActions.DeliveryTargetSet) with
        {
            SerialNumber = record.SerialNumber,
            Detail = $"target={target.Id}",
        }, CancellationToken.None).ConfigureAwait(false);
        return await ViewAsync(record, target, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CertificateRecord> ReadableAsync(string serialNumber, CancellationToken cancellationToken)
    {
        var serial = SerialNumbers.Normalize(serialNumber);
        var record = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false);
        if (record is not { Status: CertificateStatus.Issued or CertificateStatus.Revoked } || !callers.Current.CanRead(record.Team))
        {
            throw ProblemException.NotFound("unknown-certificate", $"No certificate with serial number {serial} was issued here.");
        }

        return record;
    }

    private async Task<DeliveryView> ViewAsync(CertificateRecord record, KeyVaultTarget target, CancellationToken cancellationToken)
    {
        var open = await store.GetAsync(target, cancellationToken).ConfigureAwait(false);
        var mine = open is not null && (open.SerialNumber == record.SerialNumber || open.PredecessorSerial == record.SerialNumber) ? open : null;
        var status = mine is not null ? "pending" : "delivered";
        return View(status, target, record.SerialNumber, mine);
    }

    public static DeliveryView View(string status, KeyVaultTarget target, string? serialNumber, DeliveryOperation? operation)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new DeliveryView(status, target.VaultUri.ToString(), target.CertificateName, target.Id, serialNumber,
            operation is null ? null : DeliveryOperationView.Of(operation));
    }

    /// <summary>
    /// Advances an operation as far as it goes: claim it (a lease, ETag-conditional), then sign (once) and merge (once).
    /// A vault that refuses or does not answer leaves it pending with a longer wait; a policy refusal or a lost race
    /// cancels it, the vault's pending operation included.
    /// </summary>
    private async Task<DeliveryResult> AdvanceAsync(DeliveryOperation operation, bool rethrowRefusal, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (operation.LeaseUntil > now)
        {
            return new DeliveryResult(DeliveryStatus.Pending, operation, null, "Another host is working on it.");
        }

        if (await store.TryUpdateAsync(operation with { LeaseUntil = now.AddSeconds(Settings.LeaseSeconds) }, cancellationToken).ConfigureAwait(false) is not { } claimed)
        {
            return new DeliveryResult(DeliveryStatus.Pending, operation, null, "It changed under us; the next pass reads it again.");
        }

        operation = claimed;
        var step = new Step(operation);
        try
        {
            var issued = await SignOnceAsync(step).ConfigureAwait(false);

            // The target follows the certificate: its own renewal is delivered to the same place.
            var key = step.Operation;
            await store.SetTargetAsync(issued.SerialNumber, key.Target, new DeliveryKeySettings(key.KeyType, key.KeySize, key.Exportable), CancellationToken.None).ConfigureAwait(false);
            await issuer.WhenDerivedAsync(issued.SerialNumber).ConfigureAwait(false);
            await MergeOnceAsync(step.Operation, issued).ConfigureAwait(false);
            await FinishAsync(step.Operation, issued).ConfigureAwait(false);
            return new DeliveryResult(DeliveryStatus.Delivered, step.Operation, issued);
        }
        catch (ProblemException refusal) when (step.Operation.SerialNumber is null)
        {
            await CancelAsync(step.Operation, $"Policy refused the vault's CSR: {refusal.Detail}").ConfigureAwait(false);
            if (rethrowRefusal)
            {
                throw;
            }

            return new DeliveryResult(DeliveryStatus.Cancelled, step.Operation, null, refusal.Detail);
        }
        catch (DeliveryCancelledException cancelled)
        {
            await CancelAsync(step.Operation, cancelled.Message).ConfigureAwait(false);
            return new DeliveryResult(DeliveryStatus.Cancelled, step.Operation, null, cancelled.Message);
        }
        catch (DeliveryAwaitingApprovalException held)
        {
            // Not a failure: no attempt counted, no finding; each resume pass reads the decision.
            var waiting = await store.TryUpdateAsync(step.Operation with { LeaseUntil = null, NextAttemptAt = time.GetUtcNow(), LastError = null }, CancellationToken.None).ConfigureAwait(false)
                ?? step.Operation;
            return new DeliveryResult(DeliveryStatus.Pending, waiting, null, held.Message);
        }
        catch (Exception e) when (IsRetryable(e))
        {
            return await DeferAsync(step.Operation, e).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The certificate for the vault's CSR, signed at most once per operation: a serial is reserved, written to the
    /// operation (conditional on its version) and, for a renewal, linked from the predecessor, all before the signature.
    /// A resumed operation with a serial only reads that certificate.
    /// </summary>
    private async Task<CertificateRecord> SignOnceAsync(Step step)
    {
        var operation = step.Operation;
        if (operation.SerialNumber is { } serial)
        {
            var record = await certificates.GetAsync(serial, CancellationToken.None).ConfigureAwait(false);
            switch (record?.Status)
            {
                case CertificateStatus.Issued:
                    return record;
                case CertificateStatus.Issuing:
                    // A crash between reservation and signature: the issuance repair pass gives the serial up after
                    // Pki:Ca:AbandonAfterSeconds; then an enrollment starts again with a new serial.
                    throw new DeliveryDeferredException($"Certificate {serial} was reserved and not signed yet; waiting for the issuance repair pass to settle it.");
                case CertificateStatus.Abandoned or null when operation.Kind == DeliveryKind.Enroll:
                    step.Operation = operation = await UpdateAsync(operation with { SerialNumber = null, RequestId = NewRequestId() }).ConfigureAwait(false);
                    break;
                case CertificateStatus.Abandoned or null:
                    throw new DeliveryCancelledException($"The successor {serial} was given up before it was signed; the predecessor stays linked to it, so its owner must request a successor.");
                default:
                    throw new DeliveryCancelledException($"Certificate {serial} is {record!.Status}; it is not delivered.");
            }
        }

        if (operation.ApprovalRequestId is { } held)
        {
            return await ApprovedCertificateAsync(step, held).ConfigureAwait(false);
        }

        var client = vaults.GetCertificateClient(operation.Target.VaultUri);
        var csr = await PendingCsrAsync(client, operation).ConfigureAwait(false);
        var request = await ApproveVaultCsrAsync(operation, csr).ConfigureAwait(false);
        if (request.Profile.RequiresApproval)
        {
            await HoldForApprovalAsync(step, csr).ConfigureAwait(false);
        }

        var reservation = await issuer.ReserveAsync(request with { PredecessorSerial = operation.PredecessorSerial }, operation.RequestId, CancellationToken.None).ConfigureAwait(false);
        DeliveryOperation? bound;
        try
        {
            bound = await store.TryUpdateAsync(operation with { SerialNumber = reservation.SerialNumber }, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await issuer.AbandonAsync(reservation).ConfigureAwait(false);
            throw;
        }

        if (bound is null)
        {
            await issuer.AbandonAsync(reservation).ConfigureAwait(false);
            throw new DeliveryDeferredException("The operation changed while its certificate was reserved; the next pass reads it again.");
        }

        step.Operation = bound;
        if (bound.PredecessorSerial is { } predecessor)
        {
            // Invariant: one successor per certificate, as for any renewal: the link is claimed before the signature.
            string? linked;
            try
            {
                linked = await certificates.TryLinkSuccessorAsync(predecessor, reservation.SerialNumber, CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                await issuer.AbandonAsync(reservation).ConfigureAwait(false);
                throw;
            }

            if (linked != reservation.SerialNumber)
            {
                await issuer.AbandonAsync(reservation).ConfigureAwait(false);
                throw new DeliveryCancelledException($"Certificate {predecessor} was renewed otherwise (successor {linked ?? "none: it is no longer renewable"}); nothing was signed for the vault.");
            }
        }

        return await issuer.SignAndRecordAsync(reservation).ConfigureAwait(false);
    }

    /// <summary>
    /// The vault's CSR as a request for approval, submitted as the operation's requester (for a renewal, the service on
    /// behalf of the predecessor's team). The Idempotency-Key is the operation's request id, so a resume after a crash
    /// between submission and the row's update finds the same request instead of submitting a second one.
    /// </summary>
    private async Task HoldForApprovalAsync(Step step, byte[] csr)
    {
        var operation = step.Operation;
        var input = new CertificateRequestInput(Convert.ToBase64String(csr), operation.Profile, operation.Owner, operation.ValidityDays, operation.AutoRenew, operation.Team);
        var requester = new Caller(operation.RequesterId ?? RenewalRequesterId, operation.RequesterTeam ?? operation.Team, operation.RequesterRoles ?? [Roles.Requester], "key-vault-delivery");
        SubmissionOutcome submitted;
        using (callers.Enter(requester))
        {
            submitted = await approvals.SubmitAsync(input, "key-vault:" + operation.RequestId, operation.PredecessorSerial, CancellationToken.None).ConfigureAwait(false);
        }

        step.Operation = await UpdateAsync(operation with { ApprovalRequestId = submitted.Request.RequestId }).ConfigureAwait(false);
        logger.LogInformation("Key Vault operation {RequestId} for {VaultCertificate} is held for approval as request {ApprovalRequestId}",
            operation.RequestId, operation.Target.Id, submitted.Request.RequestId);
        throw new DeliveryAwaitingApprovalException(submitted.Request.RequestId);
    }

    /// <summary>
    /// The certificate the approval of the held request issued, noted on the operation so the merge follows; a rejection
    /// or expiry cancels the operation (and deletes the vault's pending operation); undecided, it waits.
    /// </summary>
    private async Task<CertificateRecord> ApprovedCertificateAsync(Step step, string requestId)
    {
        var decision = await approvals.DecisionAsync(requestId, CancellationToken.None).ConfigureAwait(false)
            ?? throw new DeliveryCancelledException($"The approval request {requestId} is gone.");
        switch (decision.Status)
        {
            case ApprovalStatus.Rejected:
                throw new DeliveryCancelledException($"Request {requestId} was rejected by '{decision.DecidedBy}': {decision.Reason}");
            case ApprovalStatus.Expired:
                throw new DeliveryCancelledException($"Request {requestId} expired undecided at {decision.ExpiresAt:yyyy-MM-dd HH:mm:ss} UTC.");
        }

        if (IsUndecided(decision))
        {
            throw new DeliveryAwaitingApprovalException(requestId);
        }

        var serial = decision.SerialNumber!;
        var record = await certificates.GetAsync(serial, CancellationToken.None).ConfigureAwait(false);
        switch (record)
        {
            case { Status: CertificateStatus.Issued, CertificateDer: not null }:
                break;
            case null or { Status: CertificateStatus.Issuing or CertificateStatus.Abandoned }:
                // The approval is signing it, or stopped before it signed (an approver approves again): still the approval's turn.
                throw new DeliveryAwaitingApprovalException(requestId);
            default:
                throw new DeliveryCancelledException($"Certificate {serial} of request {requestId} is {record.Status}; it is not delivered.");
        }

        step.Operation = await UpdateAsync(step.Operation with { SerialNumber = serial }).ConfigureAwait(false);
        return record;
    }

    /// <summary>Pending, or approved and not signed yet (its approval is issuing, or stopped before it signed and an approver retries).</summary>
    private static bool IsUndecided(ApprovalRecord decision) =>
        decision.Status == ApprovalStatus.Pending || (decision.Status == ApprovalStatus.Approved && decision.SerialNumber is null);

    /// <summary>The CSR of the vault certificate's pending operation; when there is none, a new version is created for it.</summary>
    private async Task<byte[]> PendingCsrAsync(CertificateClient client, DeliveryOperation operation)
    {
        var name = operation.Target.CertificateName;
        try
        {
            // A completed operation (the last merge) stays readable until the next create replaces it: only one in
            // progress holds the CSR of a key waiting for its certificate.
            var pending = await client.GetCertificateOperationAsync(name, CancellationToken.None).ConfigureAwait(false);
            if (IsInProgress(pending.Properties))
            {
                if (pending.Properties is { Csr: { Length: > 0 } existing, CancellationRequested: false })
                {
                    return existing;
                }

                // Cancelled but still there: it goes, and ours replaces it.
                await pending.DeleteAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }

        var created = await client.StartCreateCertificateAsync(name, Policy(operation), enabled: true, tags: null, CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("Created a pending version of Key Vault certificate {VaultCertificate} for request {RequestId} ({KeyType} {KeySize}, new key: {NewKey})",
            operation.Target.Id, operation.RequestId, operation.KeyType, operation.KeySize, !operation.ReuseKey);
        return created.Properties.Csr is { Length: > 0 } csr
            ? csr
            : throw new DeliveryDeferredException($"Key Vault created a pending version of {operation.Target.Id} without a CSR.");
    }

    /// <summary>The vault's CSR through the same registration authority as any CSR; a refusal is audited before it propagates.</summary>
    private async Task<IssuanceRequest> ApproveVaultCsrAsync(DeliveryOperation operation, byte[] csrDer)
    {
        if (operation.Kind == DeliveryKind.Renew)
        {
            var predecessor = await certificates.GetAsync(operation.PredecessorSerial!, CancellationToken.None).ConfigureAwait(false)
                ?? throw new DeliveryCancelledException($"The predecessor {operation.PredecessorSerial} is gone.");
            return await ApproveAsync(() =>
            {
                // The successor's names and owner are the predecessor's, through the rules as today; the key is the vault's new one.
                var csr = CsrParser.Parse(csrDer);
                CheckNames(operation, csr);
                return registration.ApproveRenewal(predecessor, heldForApproval: true) with { Csr = csr };
            }, operation.PredecessorSerial).ConfigureAwait(false);
        }

        return await ApproveAsync(() =>
        {
            CheckNames(operation, CsrParser.Parse(csrDer));
            return registration.Approve(new CertificateRequestInput(Convert.ToBase64String(csrDer), operation.Profile, operation.Owner, operation.ValidityDays, operation.AutoRenew, operation.Team));
        }, predecessor: null).ConfigureAwait(false);
    }

    private async Task<IssuanceRequest> ApproveAsync(Func<IssuanceRequest> approve, string? predecessor)
    {
        try
        {
            return approve();
        }
        catch (ProblemException e)
        {
            await audit.AppendAsync(AuditEntry.Refused(AuditActions.Request, e) with { SerialNumber = predecessor }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The vault made the CSR from our policy: other names mean the pending operation is not the one we asked for.</summary>
    private static void CheckNames(DeliveryOperation operation, ParsedCsr csr)
    {
        var asked = operation.DnsNames.Select(n => n.ToLowerInvariant()).Order(StringComparer.Ordinal);
        var got = csr.DnsNames.Select(n => n.ToLowerInvariant()).Order(StringComparer.Ordinal);
        if (!asked.SequenceEqual(got) || csr.IpAddresses.Count > 0)
        {
            throw ProblemException.Unprocessable("vault-csr-mismatch",
                $"The CSR of the vault's pending operation names {string.Join(", ", csr.DnsNames)}, not {string.Join(", ", operation.DnsNames)}; delete that pending operation in the vault, then retry.");
        }
    }

    /// <summary>
    /// Merges the certificate and its chain into the pending operation, unless the vault's current version is this
    /// certificate already (a merge whose answer was lost): nothing is merged twice.
    /// </summary>
    private async Task MergeOnceAsync(DeliveryOperation operation, CertificateRecord issued)
    {
        var client = vaults.GetCertificateClient(operation.Target.VaultUri);
        if (await IsCurrentAsync(client, operation.Target, issued).ConfigureAwait(false))
        {
            return;
        }

        var ca = await authorities.GetAsync(issued.IssuerId, CancellationToken.None).ConfigureAwait(false);
        try
        {
            await client.MergeCertificateAsync(new MergeCertificateOptions(operation.Target.CertificateName, [issued.CertificateDer!, ca.CertificateDer]), CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 403 or 404)
        {
            // Nothing in progress to merge into (404 gone, 403 completed): a retry of a merge that went through (the
            // connection dropped after it) when the current version is ours; otherwise deleted, or a refusal to retry.
            if (!await IsCurrentAsync(client, operation.Target, issued).ConfigureAwait(false))
            {
                if (e.Status == 403)
                {
                    throw;
                }

                throw new DeliveryCancelledException($"The vault's pending operation for {operation.Target.Id} was deleted before certificate {issued.SerialNumber} was merged; the certificate stays issued but is not in the vault.");
            }
        }

        logger.LogInformation("Merged certificate {SerialNumber} into Key Vault certificate {VaultCertificate}", issued.SerialNumber, operation.Target.Id);
    }

    private static async Task<bool> IsCurrentAsync(CertificateClient client, KeyVaultTarget target, CertificateRecord issued)
    {
        try
        {
            var current = await client.GetCertificateAsync(target.CertificateName, CancellationToken.None).ConfigureAwait(false);
            return current.Value.Cer is { Length: > 0 } der && der.AsSpan().SequenceEqual(issued.CertificateDer);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    /// <summary>The audit records and, for a renewal, the renewed event with the target; then the operation's row goes.</summary>
    private async Task FinishAsync(DeliveryOperation operation, CertificateRecord issued)
    {
        await audit.AppendAsync(AuditEntry.Succeeded(AuditActions.Deliver) with
        {
            RequestId = issued.RequestId,
            SerialNumber = issued.SerialNumber,
            Detail = $"target={operation.Target.Id}" + (operation.PredecessorSerial is { } p ? $" renews={p}" : string.Empty),
            OnceKey = "deliver:" + issued.SerialNumber,
        }, CancellationToken.None).ConfigureAwait(false);
        if (operation.PredecessorSerial is { } predecessor)
        {
            await recorder.RecordAsync(RenewedEvent(issued, predecessor, operation.Target), CancellationToken.None).ConfigureAwait(false);
            await audit.AppendAsync(AuditEntry.Succeeded(AuditActions.Renew) with
            {
                RequestId = issued.RequestId,
                SerialNumber = issued.SerialNumber,
                Detail = $"renews={predecessor} ca={issued.IssuerId}",
                OnceKey = "renew:" + issued.SerialNumber,
            }, CancellationToken.None).ConfigureAwait(false);
        }

        // Delivered: the delivery-failed finding goes from every certificate it was on (this operation's, and one a given-up
        // operation left), before the row, so a failure here leaves the row for the next pass, which clears it then.
        await inventory.ClearDeliveryAsync(operation.Target.Location, CancellationToken.None).ConfigureAwait(false);
        if (!await store.TryDeleteAsync(operation, CancellationToken.None).ConfigureAwait(false))
        {
            logger.LogWarning("Key Vault operation {RequestId} for {VaultCertificate} changed after its merge; its row stays for the next pass, which finds it merged", operation.RequestId, operation.Target.Id);
        }

        logger.LogInformation("Delivered certificate {SerialNumber} to Key Vault certificate {VaultCertificate}", issued.SerialNumber, operation.Target.Id);
    }

    private CloudEvent RenewedEvent(CertificateRecord successor, string predecessorSerial, KeyVaultTarget target)
    {
        var e = events.Renewed(successor, predecessorSerial);
        return e with { Data = e.Data with { DeliveryTarget = target.Id } };
    }

    /// <summary>
    /// A vault refused (403: the role is missing), throttled, did not answer, or a step is not settled yet: the operation
    /// waits twice as long as last time and shows why; its owner is told on the first failure and when it is given up.
    /// </summary>
    private async Task<DeliveryResult> DeferAsync(DeliveryOperation operation, Exception failure)
    {
        var attempts = operation.Attempts + 1;
        var reason = Describe(operation.Target, failure);
        if (attempts >= Settings.MaxAttempts)
        {
            await CancelAsync(operation with { Attempts = attempts }, $"Given up after {attempts} attempts; the last: {reason}").ConfigureAwait(false);
            return new DeliveryResult(DeliveryStatus.Cancelled, operation, null, reason);
        }

        var delay = TimeSpan.FromSeconds(Math.Min(Settings.MaxRetryDelaySeconds, Settings.RetryDelaySeconds * Math.Pow(2, attempts - 1)));
        var next = time.GetUtcNow() + delay;
        var updated = await store.TryUpdateAsync(operation with { Attempts = attempts, NextAttemptAt = next, LeaseUntil = null, LastError = reason }, CancellationToken.None).ConfigureAwait(false) ?? operation;
        logger.LogWarning("Key Vault operation {RequestId} for {VaultCertificate} failed (attempt {Attempt}); the next attempt is at {NextAttemptAt}: {Reason}",
            operation.RequestId, operation.Target.Id, attempts, next, reason);
        await MarkFailingAsync(updated, attempts, reason, givenUp: false, next).ConfigureAwait(false);
        if (attempts == 1)
        {
            await TellOwnerAsync(updated, attempts, reason, givenUp: false, next).ConfigureAwait(false);
        }

        return new DeliveryResult(DeliveryStatus.Pending, updated, null, reason);
    }

    /// <summary>Deletes the vault's pending operation (unless its certificate is signed: a merge may still be wanted by hand) and the row; the owner is told.</summary>
    private async Task CancelAsync(DeliveryOperation operation, string reason)
    {
        if (operation.SerialNumber is null)
        {
            try
            {
                var client = vaults.GetCertificateClient(operation.Target.VaultUri);
                var pending = await client.GetCertificateOperationAsync(operation.Target.CertificateName, CancellationToken.None).ConfigureAwait(false);
                if (IsInProgress(pending.Properties))
                {
                    await pending.DeleteAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (IsRetryable(e))
            {
                // Nothing pending (404), or the vault refuses: the pending operation (key and CSR, no certificate) stays there, harmless.
                logger.LogInformation("Could not delete the pending operation of {VaultCertificate}: {Reason}", operation.Target.Id, Describe(operation.Target, e));
            }
        }

        await store.TryDeleteAsync(operation, CancellationToken.None).ConfigureAwait(false);
        await audit.AppendAsync(AuditEntry.Failed(AuditActions.Deliver, $"Cancelled: {reason}") with
        {
            RequestId = operation.RequestId,
            SerialNumber = operation.SerialNumber ?? operation.PredecessorSerial,
            OnceKey = "deliver-cancel:" + operation.RequestId,
        }, CancellationToken.None).ConfigureAwait(false);
        logger.LogWarning("Key Vault operation {RequestId} for {VaultCertificate} cancelled: {Reason}", operation.RequestId, operation.Target.Id, reason);
        await MarkFailingAsync(operation, operation.Attempts, reason, givenUp: true, next: null).ConfigureAwait(false);
        await TellOwnerAsync(operation, operation.Attempts, reason, givenUp: true, next: null).ConfigureAwait(false);
    }

    /// <summary>
    /// The certificates an operation concerns, as far as they exist: a renewal's predecessor (what the vault still serves)
    /// and the certificate signed for the operation (issued, not in the vault yet).
    /// </summary>
    private async Task<List<CertificateRecord>> ConcernedAsync(DeliveryOperation operation)
    {
        var found = new List<CertificateRecord>();
        foreach (var serial in new[] { operation.PredecessorSerial, operation.SerialNumber }.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (await certificates.GetAsync(serial, CancellationToken.None).ConfigureAwait(false) is { Status: CertificateStatus.Issued or CertificateStatus.Revoked, CertificateDer: not null } record)
            {
                found.Add(record);
            }
        }

        return found;
    }

    /// <summary>
    /// The delivery-failed finding on the certificates concerned, at the target's inventory location, while the operation
    /// fails; after it was given up it says so and stays until a later delivery to the same vault certificate completes.
    /// Best effort: the next failure records it again.
    /// </summary>
    private async Task MarkFailingAsync(DeliveryOperation operation, int attempts, string reason, bool givenUp, DateTimeOffset? next)
    {
        var what = operation.Kind == DeliveryKind.Renew ? $"The renewal of certificate {operation.PredecessorSerial}" : "This certificate";
        var signed = operation.SerialNumber is { } s && operation.Kind == DeliveryKind.Renew ? $" (successor {s} is signed, not merged)" : string.Empty;
        var message = givenUp
            ? $"{what}{signed} was not delivered to Key Vault certificate '{operation.Target.CertificateName}' in {operation.Target.VaultUri}: given up after {attempts} attempts. {reason} Fix the cause, then enroll again."
            : $"{what}{signed} is not delivered to Key Vault certificate '{operation.Target.CertificateName}' in {operation.Target.VaultUri}: {attempts} failed attempt{(attempts == 1 ? "" : "s")}, the next at {next:yyyy-MM-dd HH:mm:ss} UTC. {reason}";
        var finding = new Finding(FindingCodes.DeliveryFailed, FindingSeverity.High, message);
        try
        {
            foreach (var record in await ConcernedAsync(operation).ConfigureAwait(false))
            {
                await inventory.RecordDeliveryFailureAsync(record.CertificateDer!, operation.Target.Location, operation.Target.VaultUri, finding, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not record the failing delivery of {VaultCertificate} in the inventory; the next failure records it", operation.Target.Id);
        }
    }

    private async Task TellOwnerAsync(DeliveryOperation operation, int attempts, string reason, bool givenUp, DateTimeOffset? next)
    {
        var concerned = await ConcernedAsync(operation).ConfigureAwait(false);
        if (concerned.FirstOrDefault() is not { } certificate)
        {
            // An enrollment not yet issued: its caller sees the reason in the answer.
            return;
        }

        try
        {
            await notifier.FailedAsync(new DeliveryFailureNotice(certificate, operation.Target, operation.Kind, attempts, reason, givenUp, next,
                operation.Kind == DeliveryKind.Renew ? operation.SerialNumber : null), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not notify the owner of certificate {SerialNumber} about its delivery", certificate.SerialNumber);
        }
    }

    private async Task<DeliveryOperation> UpdateAsync(DeliveryOperation operation) =>
        await store.TryUpdateAsync(operation, CancellationToken.None).ConfigureAwait(false)
        ?? throw new DeliveryDeferredException("The operation changed under us; the next pass reads it again.");

    /// <summary>
    /// A vault of <c>Pki:Delivery:KeyVaults</c> (open to every team) or of the certificate's team in
    /// <c>Pki:Delivery:TeamVaults</c>: a team's vault never receives another team's certificates, so no team can
    /// replace what another team's App Gateway serves.
    /// </summary>
    private KeyVaultTarget AllowedTarget(string? vaultUri, string? certificateName, string? team)
    {
        var target = KeyVaultTarget.Parse(vaultUri, certificateName);
        var vault = target.VaultUri.GetLeftPart(UriPartial.Authority);
        var teamVaults = team is not null && Settings.TeamVaults.TryGetValue(team, out var own) ? own : [];
        if (!Settings.KeyVaults.Concat(teamVaults).Select(Authority).Contains(vault, StringComparer.OrdinalIgnoreCase))
        {
            throw ProblemException.Unprocessable("vault-not-a-target",
                $"Vault {target.VaultUri} is not a delivery vault for team '{team ?? "none"}' (Pki:Delivery:KeyVaults, Pki:Delivery:TeamVaults); an operator adds it there and grants the service 'Key Vault Certificates Officer' on it (README, Key Vault delivery).");
        }

        return target;
    }

    private static string Authority(string vault) => Uri.TryCreate(vault, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : vault;

    private CertificatePolicy Policy(DeliveryOperation operation)
    {
        var sans = new SubjectAlternativeNames();
        foreach (var name in operation.DnsNames)
        {
            sans.DnsNames.Add(name);
        }

        var profile = profiles.Get(operation.Profile);
        var policy = operation.DnsNames.Count > 0
            ? new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=" + operation.CommonName, sans)
            : new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=" + operation.CommonName);
        policy.KeyType = new CertificateKeyType(operation.KeyType);
        if (operation.KeyType.StartsWith("EC", StringComparison.Ordinal))
        {
            policy.KeyCurveName = operation.KeySize == 384 ? CertificateKeyCurveName.P384 : CertificateKeyCurveName.P256;
        }
        else
        {
            policy.KeySize = operation.KeySize;
        }

        policy.Exportable = operation.Exportable;
        policy.ReuseKey = operation.ReuseKey;
        policy.ContentType = CertificateContentType.Pkcs12;
        policy.EnhancedKeyUsage.Add(profile.ExtendedKeyUsage.Id);
        policy.KeyUsage.Add(CertificateKeyUsage.DigitalSignature);
        if (!operation.KeyType.StartsWith("EC", StringComparison.Ordinal))
        {
            policy.KeyUsage.Add(CertificateKeyUsage.KeyEncipherment);
        }

        policy.ValidityInMonths = Math.Max(1, (int)Math.Ceiling((operation.ValidityDays ?? profile.MaxValidityDays) / 30.0));
        return policy;
    }

    private static (string KeyType, int KeySize) KeyOf(string? keyType, int? keySize)
    {
        var type = string.IsNullOrWhiteSpace(keyType) ? "EC" : keyType.Trim().ToUpperInvariant();
        return type switch
        {
            "EC" or "EC-HSM" when keySize is null or 256 or 384 => (type, keySize ?? 256),
            "RSA" or "RSA-HSM" when keySize is null or 2048 or 3072 or 4096 => (type, keySize ?? 2048),
            "EC" or "EC-HSM" or "RSA" or "RSA-HSM" => throw ProblemException.BadRequest("invalid-key-type", $"'keySize' {keySize} does not fit {type} (EC: 256 or 384; RSA: 2048, 3072 or 4096)."),
            _ => throw ProblemException.BadRequest("invalid-key-type", "'keyType' is EC, EC-HSM, RSA or RSA-HSM."),
        };
    }

    /// <summary>The predecessor's key type and size, so its successor's new key is of the same kind.</summary>
    private static (string KeyType, int KeySize) KeyOfCertificate(byte[] der)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is not null)
        {
            return ("RSA", rsa.KeySize);
        }

        using var ec = certificate.GetECDsaPublicKey();
        return ("EC", ec?.KeySize == 384 ? 384 : 256);
    }

    private static int LifetimeDays(CertificateRecord record) => (int)Math.Max(1, Math.Round((record.NotAfter - record.NotBefore).TotalDays));

    /// <summary>A CSR of a throwaway P-256 key with the names asked for: policy's verdict on the names before the vault makes a key.</summary>
    private static string ProbeCsr(string commonName, IReadOnlyList<string> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        var request = new CertificateRequest(builder.Build(), key, HashAlgorithmName.SHA256);
        if (names.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
            {
                san.AddDnsName(name);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        return Convert.ToBase64String(request.CreateSigningRequest());
    }

    private static RenewalOutcome Outcome(DeliveryResult result) => result.Status switch
    {
        DeliveryStatus.Delivered => RenewalOutcome.Renewed,
        DeliveryStatus.Cancelled => RenewalOutcome.OwnerNotified,
        _ => RenewalOutcome.Deferred,
    };

    /// <summary>What the resume pass retries: the vault's answers, the credential's, no answer, and steps not settled yet.</summary>
    private static bool IsRetryable(Exception e) =>
        (e is AggregateException { InnerExceptions.Count: > 0 } all && all.InnerExceptions.All(IsRetryable))
        || e is RequestFailedException or AuthenticationFailedException or HttpRequestException or IOException or TimeoutException
            or DeliveryDeferredException or CertificateNotRecordedException
        || (e is TaskCanceledException && e.InnerException is TimeoutException);

    private static string Describe(KeyVaultTarget target, Exception e) => e switch
    {
        // Azure.Core's retries gave up: the last attempt says what went wrong.
        AggregateException { InnerExceptions.Count: > 0 } all => Describe(target, all.InnerExceptions[^1]),
        RequestFailedException { Status: 401 or 403 } f =>
            $"Key Vault {target.VaultUri} refused the service (HTTP {f.Status}{(f.ErrorCode is { } c ? " " + c : "")}); grant its identity 'Key Vault Certificates Officer' on the vault (README, Azure).",
        RequestFailedException { Status: 429 } => $"Key Vault {target.VaultUri} kept throttling (HTTP 429) beyond the client's retries.",
        RequestFailedException { Status: 0 } f => $"Key Vault {target.VaultUri} did not answer: {Clip(f.Message)}",
        RequestFailedException f => $"Key Vault {target.VaultUri} answered HTTP {f.Status}{(f.ErrorCode is { } c ? " " + c : "")}.",
        AuthenticationFailedException => $"No token for Key Vault {target.VaultUri}: the service's identity could not authenticate.",
        DeliveryDeferredException d => d.Message,
        CertificateNotRecordedException n => $"Certificate {n.SerialNumber} was signed but not recorded yet; the issuance repair pass finishes it.",
        _ => $"Key Vault {target.VaultUri} could not be reached: {Clip(e.Message)}",
    };

    private static bool IsInProgress(CertificateOperationProperties properties) =>
        string.Equals(properties?.Status, "inProgress", StringComparison.OrdinalIgnoreCase);

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static string NewRequestId() => Guid.NewGuid().ToString("N");

    /// <summary>The operation as the current step left it; the steps move it on.</summary>
    private sealed class Step(DeliveryOperation operation)
    {
        public DeliveryOperation Operation { get; set; } = operation;
    }
}
