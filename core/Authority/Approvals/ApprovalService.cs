using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;

namespace Pki.Core.Authority.Approvals;

/// <summary>
/// The registration authority's approval step: requests of profiles that require approval are held pending, and a
/// certificate exists only after an approver other than the requester approved. Every state change of such a
/// request happens in this class, one method per transition (submitted, approved → issued, rejected, expired),
/// so the audit trail records each in one place.
/// </summary>
public sealed class ApprovalService(
    RegistrationAuthority registration,
    ProfileCatalog profiles,
    CertificateIssuer issuer,
    CertificateService certificates,
    ICertificateStore certificateStore,
    IApprovalStore store,
    CallerContext callers,
    IAuditTrail audit,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<ApprovalService> logger)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int MaxReasonLength = 1000;

    /// <summary>The CSR is kept until the decision; a table property holds at most 32K characters.</summary>
    public const int MaxCsrLength = 30 * 1024;

    /// <summary>An approval that noted no serial within this time was left by a crash; another approval may take it over.</summary>
    public static readonly TimeSpan ApprovalLease = TimeSpan.FromMinutes(2);

    /// <summary>Who is named as deciding when a request runs out of time.</summary>
    public const string ExpiryDecider = "system";

    private const string Superseded = "request-superseded";

    /// <summary>Whether a request for <paramref name="profileName"/> is held for approval (unknown names are refused by the issuance path).</summary>
    public bool RequiresApproval(string? profileName) =>
        profileName is not null && profiles.Names.Contains(profileName) && profiles.Get(profileName).RequiresApproval;

    /// <summary>
    /// Transition: submitted. Policy runs first and a refusal stores nothing. With an Idempotency-Key (scoped to the
    /// caller) a repeat returns the request first stored, and another body under the same key is refused.
    /// </summary>
    public Task<SubmissionOutcome> SubmitAsync(CertificateRequestInput input, string? idempotencyKey, CancellationToken cancellationToken = default) =>
        SubmitAsync(input, idempotencyKey, predecessorSerial: null, cancellationToken);

    /// <summary>
    /// Transition: submitted, for a successor of <paramref name="predecessorSerial"/> (a Key Vault renewal of a profile that
    /// requires approval): as any request, and on approval the predecessor's successor link is claimed before the signature.
    /// </summary>
    public async Task<SubmissionOutcome> SubmitAsync(CertificateRequestInput input, string? idempotencyKey, string? predecessorSerial, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var caller = callers.Current;
        if (input.Csr is { Length: > MaxCsrLength })
        {
            throw ProblemException.Unprocessable("csr-too-large", $"A CSR held for approval may have at most {MaxCsrLength} characters.");
        }

        var request = registration.Approve(input);
        if (!request.Profile.RequiresApproval)
        {
            throw new InvalidOperationException($"Profile '{request.Profile.Name}' does not require approval; issue it through {nameof(CertificateService)}.");
        }

        var team = request.Team ?? throw new InvalidOperationException("The team rule lets no request without a team through.");
        var held = input with { Team = team, Owner = request.Owner };
        var bodyHash = Hash(held);
        string requestId;
        if (idempotencyKey is null)
        {
            requestId = Guid.NewGuid().ToString("N");
        }
        else
        {
            CertificateService.ValidateIdempotencyKey(idempotencyKey);
            requestId = KeyedId(caller.Id, idempotencyKey);
            if (await store.GetAsync(requestId, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return Replay(existing, bodyHash);
            }
        }

        var now = time.GetUtcNow();
        var csr = request.Csr;
        var record = new ApprovalRecord(
            requestId, held, team, caller.Id, caller.Team, [.. caller.Roles.Order(StringComparer.Ordinal)], csr.CommonName,
            [.. csr.DnsNames, .. csr.IpAddresses.Select(a => a.ToString())], bodyHash, ApprovalStatus.Pending, now,
            now.AddHours(options.Value.Approvals.PendingHours), PredecessorSerial: predecessorSerial);
        var added = await store.TryAddAsync(record, cancellationToken).ConfigureAwait(false);
        if (added is null)
        {
            // A repeat of the same key raced us and stored first.
            return Replay(await store.GetAsync(requestId, cancellationToken).ConfigureAwait(false)
                ?? throw ProblemException.Conflict("request-in-progress", "A request with this Idempotency-Key is being stored; retry in a moment."), bodyHash);
        }

        await RecordAsync(AuditActions.Request, added, $"pending approval; profile {added.Input.Profile}, team {added.Team}").ConfigureAwait(false);
        logger.LogInformation("Request {RequestId} for profile {Profile} of team {Team} by {CallerId} waits for approval until {ExpiresAt}",
            added.RequestId, added.Input.Profile, added.Team, caller.Id, added.ExpiresAt);
        return new SubmissionOutcome(View(added), Replayed: false);
    }

    /// <summary>A request the caller may see: approvers see every team's, others their own team's (or every team's, with that permission).</summary>
    public async Task<ApprovalRequestView> GetAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var record = await ReadVisibleAsync(requestId, cancellationToken).ConfigureAwait(false);
        return View(await ExpireIfDueAsync(record, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// A request as its holder (a service that submitted it, such as Key Vault enrollment) follows it: no caller check,
    /// and a pending request past its time is expired on the way, as on any read. Null when no such request exists.
    /// </summary>
    public async Task<ApprovalRecord?> DecisionAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var record = IsRequestId(requestId) ? await store.GetAsync(requestId, cancellationToken).ConfigureAwait(false) : null;
        return record is null ? null : await ExpireIfDueAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pending requests, oldest id first within a team. Reads only the pending listing, so its cost follows the
    /// number of pending requests, never the history; requests found past their time are expired on the way.
    /// </summary>
    public async Task<ApprovalListView> ListPendingAsync(string? team, int? pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var caller = callers.Current;
        var size = pageSize ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
        {
            throw ProblemException.BadRequest("invalid-page-size", $"pageSize must be between 1 and {MaxPageSize}.");
        }

        var wanted = Teams.Normalize(team);
        if (wanted is not null && !SeesTeam(caller, wanted))
        {
            throw ProblemException.Forbidden("not-your-team", $"Caller '{caller.Id}' of team '{caller.Team ?? "none"}' cannot read the requests of team '{wanted}'.");
        }

        if (wanted is null && !SeesEveryTeam(caller))
        {
            if (caller.Team is null)
            {
                return new ApprovalListView([], null);
            }

            wanted = caller.Team;
        }

        var page = await store.ListPendingAsync(wanted, size, continuationToken, cancellationToken).ConfigureAwait(false);
        var records = await Task.WhenAll(page.Entries.Select(e => store.GetAsync(e.RequestId, cancellationToken))).ConfigureAwait(false);
        var items = new List<ApprovalRequestView>(records.Length);
        foreach (var found in records)
        {
            if (found is null)
            {
                // Listed but not (yet) stored: a submission in progress, or one that failed between its two writes.
                continue;
            }

            var record = await ExpireIfDueAsync(found, cancellationToken).ConfigureAwait(false);
            if (record.Status != ApprovalStatus.Pending)
            {
                // Decided, but the decider's unlisting did not happen (a crash): finish it.
                await store.UnlistAsync(record, cancellationToken).ConfigureAwait(false);
                continue;
            }

            items.Add(View(record));
        }

        return new ApprovalListView(items, page.ContinuationToken);
    }

    /// <summary>
    /// Transition: approved, then issued. Policy runs again as the requester (grants or policy may have changed); a
    /// refusal leaves the request pending. Of concurrent approvals one wins the conditional write and issues; an
    /// approval of an issued request returns that certificate (replayed), never a second one.
    /// </summary>
    public async Task<ApprovalOutcome> ApproveAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var caller = callers.Current;
        var record = await ReadVisibleAsync(requestId, cancellationToken).ConfigureAwait(false);
        await RefuseSelfDecisionAsync(record, caller, AuditActions.Approve, "approve").ConfigureAwait(false);
        while (true)
        {
            record = await ExpireIfDueAsync(record, cancellationToken).ConfigureAwait(false);
            switch (record.Status)
            {
                case ApprovalStatus.Issued:
                    return new ApprovalOutcome(await CertificateOfAsync(record, cancellationToken).ConfigureAwait(false), Replayed: true);
                case ApprovalStatus.Rejected:
                case ApprovalStatus.Expired:
                    throw Decided(record);
                case ApprovalStatus.Approved when record.SerialNumber is not null
                    && await certificateStore.GetAsync(record.SerialNumber, cancellationToken).ConfigureAwait(false) is { Status: CertificateStatus.Issued, CertificateDer: not null } signed:
                    // Signed and recorded, but the approval stopped before it marked the request issued: finish that now.
                    record = await store.TryUpdateAsync(record with { Status = ApprovalStatus.Issued }, cancellationToken).ConfigureAwait(false) ?? record;
                    logger.LogInformation("Recovered certificate {SerialNumber} for request {RequestId}", signed.SerialNumber, record.RequestId);
                    await store.UnlistAsync(record, cancellationToken).ConfigureAwait(false);
                    return new ApprovalOutcome(await certificates.ViewAsync(signed, cancellationToken).ConfigureAwait(false), Replayed: true);
                case ApprovalStatus.Approved when record.SerialNumber is not null
                    && await certificateStore.GetAsync(record.SerialNumber, cancellationToken).ConfigureAwait(false) is { Status: CertificateStatus.Abandoned }:
                    // Its signing stopped and the serial was given up for good (the issuance repair pass): nothing was
                    // issued for it, so this approval takes over and signs anew.
                    break;
                case ApprovalStatus.Approved when record.SerialNumber is not null || time.GetUtcNow() - record.DecidedAt < ApprovalLease:
                    // Issuing under another approval (or signed and not yet marked issued): never sign a second time.
                    throw ProblemException.Conflict("request-in-progress", $"Request {record.RequestId} was approved by '{record.DecidedBy}' and its certificate is being issued; read the request in a moment.");
            }

            // Pending, or an approval that crashed before it reserved a serial: this approval takes over.
            var request = Recheck(record);
            var approved = await store.TryUpdateAsync(
                record with { Status = ApprovalStatus.Approved, DecidedBy = caller.Id, DecidedAt = time.GetUtcNow(), SerialNumber = null },
                cancellationToken).ConfigureAwait(false);
            if (approved is null)
            {
                // Another decision came first; answer by what it decided.
                record = await store.GetAsync(record.RequestId, cancellationToken).ConfigureAwait(false) ?? throw UnknownRequest();
                continue;
            }

            await RecordAsync(AuditActions.Approve, approved, $"team {approved.Team}").ConfigureAwait(false);
            logger.LogInformation("Request {RequestId} of team {Team} approved by {CallerId}", approved.RequestId, approved.Team, caller.Id);
            return await IssueAsync(approved, request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Transition: rejected, with the approver's reason for the requester.</summary>
    public async Task<ApprovalRequestView> RejectAsync(string requestId, RejectionInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var reason = input.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > MaxReasonLength || reason.Any(c => char.IsControl(c) && c is not ('\n' or '\t')))
        {
            throw ProblemException.Unprocessable("invalid-reason", $"Give the requester a reason in 'reason': 1 to {MaxReasonLength} printable characters.");
        }

        var caller = callers.Current;
        var record = await ReadVisibleAsync(requestId, cancellationToken).ConfigureAwait(false);
        await RefuseSelfDecisionAsync(record, caller, AuditActions.Reject, "reject").ConfigureAwait(false);
        while (true)
        {
            record = await ExpireIfDueAsync(record, cancellationToken).ConfigureAwait(false);
            if (record.Status != ApprovalStatus.Pending)
            {
                throw Decided(record);
            }

            var rejected = await store.TryUpdateAsync(
                record with { Status = ApprovalStatus.Rejected, DecidedBy = caller.Id, DecidedAt = time.GetUtcNow(), Reason = reason },
                cancellationToken).ConfigureAwait(false);
            if (rejected is null)
            {
                record = await store.GetAsync(record.RequestId, cancellationToken).ConfigureAwait(false) ?? throw UnknownRequest();
                continue;
            }

            await store.UnlistAsync(rejected, cancellationToken).ConfigureAwait(false);

            await RecordAsync(AuditActions.Reject, rejected, reason).ConfigureAwait(false);
            logger.LogInformation("Request {RequestId} of team {Team} rejected by {CallerId}", rejected.RequestId, rejected.Team, caller.Id);
            return View(rejected);
        }
    }

    /// <summary>Issues the approved request through the CA as its requester, noting the serial on the request before signing.</summary>
    private async Task<ApprovalOutcome> IssueAsync(ApprovalRecord approved, IssuanceRequest request, CancellationToken cancellationToken)
    {
        var current = approved;
        CertificateRecord issued;
        try
        {
            using (callers.Enter(RequesterOf(approved)))
            {
                // Invariant: one request never yields two certificates. The serial is written to the request,
                // conditional on the approval's version, before the signature; a lost write stops the signing.
                var reservation = await issuer.ReserveAsync(request with { PredecessorSerial = approved.PredecessorSerial }, approved.RequestId, CancellationToken.None).ConfigureAwait(false);
                current = await BindSerialAsync(current, reservation).ConfigureAwait(false);
                await LinkSuccessorAsync(current, reservation).ConfigureAwait(false);
                issued = await issuer.SignAndRecordAsync(reservation).ConfigureAwait(false);
            }
        }
        catch (CertificateNotRecordedException)
        {
            // Signed: the serial stays on the approved request, so nobody signs again for it.
            throw;
        }
        catch (Exception e) when (e is not ProblemException { Type: Superseded })
        {
            // Nothing was signed (a reserved serial stays an unsigned "issuing" record): back to pending, so an
            // approver can retry at once. If another approval took the request over, this write fails and changes nothing.
            await store.TryUpdateAsync(current with { Status = ApprovalStatus.Pending, DecidedBy = null, DecidedAt = null, SerialNumber = null }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var done = await store.TryUpdateAsync(current with { Status = ApprovalStatus.Issued, SerialNumber = issued.SerialNumber }, CancellationToken.None).ConfigureAwait(false);
        if (done is null)
        {
            logger.LogWarning("Request {RequestId} issued {SerialNumber} but its record changed meanwhile", approved.RequestId, issued.SerialNumber);
        }

        await store.UnlistAsync(current, CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("Request {RequestId} issued as {SerialNumber} for team {Team}", approved.RequestId, issued.SerialNumber, approved.Team);
        return new ApprovalOutcome(await certificates.ViewAsync(issued, cancellationToken).ConfigureAwait(false), Replayed: false);
    }

    /// <summary>Writes the reserved serial to the approved request; a lost or failed write gives the serial up unsigned.</summary>
    private async Task<ApprovalRecord> BindSerialAsync(ApprovalRecord approved, Reservation reservation)
    {
        ApprovalRecord? bound;
        try
        {
            bound = await store.TryUpdateAsync(approved with { SerialNumber = reservation.SerialNumber }, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await issuer.AbandonAsync(reservation).ConfigureAwait(false);
            throw;
        }

        if (bound is null)
        {
            await issuer.AbandonAsync(reservation).ConfigureAwait(false);
            throw ProblemException.Conflict(Superseded, $"Request {approved.RequestId} was taken over by another approval while this one issued; that one's result stands.");
        }

        return bound;
    }

    /// <summary>
    /// Invariant: one successor per certificate, as for any renewal. A successor's link from its predecessor is claimed
    /// before the signature; when the predecessor was renewed otherwise, nothing is signed and the request stays pending.
    /// </summary>
    private async Task LinkSuccessorAsync(ApprovalRecord approved, Reservation reservation)
    {
        if (approved.PredecessorSerial is not { } predecessor)
        {
            return;
        }

        string? linked;
        try
        {
            linked = await certificateStore.TryLinkSuccessorAsync(predecessor, reservation.SerialNumber, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await issuer.AbandonAsync(reservation).ConfigureAwait(false);
            throw;
        }

        if (linked != reservation.SerialNumber)
        {
            await issuer.AbandonAsync(reservation).ConfigureAwait(false);
            throw ProblemException.Conflict("certificate-renewed-otherwise", $"Certificate {predecessor} was renewed otherwise (successor {linked ?? "none: it is no longer renewable"}); reject request {approved.RequestId}.");
        }
    }

    /// <summary>The request's policy again, as its requester; a refusal says the request stays pending.</summary>
    private IssuanceRequest Recheck(ApprovalRecord record)
    {
        using var _ = callers.Enter(RequesterOf(record));
        try
        {
            return registration.Approve(record.Input);
        }
        catch (ProblemException e)
        {
            throw new ProblemException(e.Kind, e.Type, e.Title,
                $"{e.Detail} Policy refuses this request now (grants or policy changed since it was submitted); it stays pending until rejected or expired.");
        }
    }

    /// <summary>Transition: expired, applied when a pending request past its time is next read, listed or decided.</summary>
    private async Task<ApprovalRecord> ExpireIfDueAsync(ApprovalRecord record, CancellationToken cancellationToken)
    {
        if (!record.IsExpiredAt(time.GetUtcNow()))
        {
            return record;
        }

        var expired = await store.TryUpdateAsync(
            record with { Status = ApprovalStatus.Expired, DecidedBy = ExpiryDecider, DecidedAt = record.ExpiresAt },
            cancellationToken).ConfigureAwait(false);
        if (expired is null)
        {
            // Decided meanwhile (an approval just before the deadline wins): show what happened.
            return await store.GetAsync(record.RequestId, cancellationToken).ConfigureAwait(false) ?? throw UnknownRequest();
        }

        await store.UnlistAsync(expired, cancellationToken).ConfigureAwait(false);

        await RecordAsync(AuditActions.Expire, expired, $"undecided at {expired.ExpiresAt:O}").ConfigureAwait(false);
        logger.LogInformation("Request {RequestId} of team {Team} expired undecided at {ExpiresAt}", expired.RequestId, expired.Team, expired.ExpiresAt);
        return expired;
    }

    private async Task<ApprovalRecord> ReadVisibleAsync(string requestId, CancellationToken cancellationToken)
    {
        // Another team's request is answered as unknown, as its certificates are.
        var record = IsRequestId(requestId) ? await store.GetAsync(requestId, cancellationToken).ConfigureAwait(false) : null;
        return record is not null && SeesTeam(callers.Current, record.Team) ? record : throw UnknownRequest();
    }

    private async Task<CertificateView> CertificateOfAsync(ApprovalRecord record, CancellationToken cancellationToken)
    {
        var certificate = record.SerialNumber is { } serial ? await certificateStore.GetAsync(serial, cancellationToken).ConfigureAwait(false) : null;
        return certificate is { CertificateDer: not null }
            ? await certificates.ViewAsync(certificate, cancellationToken).ConfigureAwait(false)
            : throw new InvalidOperationException($"Request {record.RequestId} is issued but its certificate {record.SerialNumber} cannot be read.");
    }

    private SubmissionOutcome Replay(ApprovalRecord existing, string bodyHash) =>
        existing.BodyHash == bodyHash
            ? new SubmissionOutcome(View(existing), Replayed: true)
            : throw ProblemException.Unprocessable("idempotency-key-reused", "This Idempotency-Key was used for a different request body; use a new key for a new request.");

    /// <summary>
    /// Approval is a second person's judgement: nobody decides their own request, whatever their roles. An attempt is
    /// recorded in the audit trail before it is refused, as an attempt to get around the second person.
    /// </summary>
    private async Task RefuseSelfDecisionAsync(ApprovalRecord record, Caller caller, string action, string verb)
    {
        if (string.Equals(record.RequesterId, caller.Id, StringComparison.Ordinal))
        {
            var refusal = ProblemException.Forbidden("self-approval", $"Caller '{caller.Id}' submitted request {record.RequestId} and cannot {verb} it; another approver must.");
            await audit.AppendAsync(AuditEntry.Refused(action, refusal) with { RequestId = record.RequestId }, CancellationToken.None).ConfigureAwait(false);
            throw refusal;
        }
    }

    /// <summary>Approval is a central function: approvers see every team's requests; others their own team's.</summary>
    private static bool SeesTeam(Caller caller, string team) => SeesEveryTeam(caller) || caller.CanRead(team);

    private static bool SeesEveryTeam(Caller caller) => caller.Has(Permission.ApproveRequests) || caller.Has(Permission.ReadAllTeams);

    private static Caller RequesterOf(ApprovalRecord record) => new(record.RequesterId, record.RequesterTeam, record.RequesterRoles, "submitted");

    private ApprovalRequestView View(ApprovalRecord r) => new(
        r.RequestId,
        (r.IsExpiredAt(time.GetUtcNow()) ? ApprovalStatus.Expired : r.Status).ToString().ToLowerInvariant(),
        r.Input.Profile!,
        r.Team,
        r.Input.Owner!,
        r.RequesterId,
        r.CommonName,
        r.Names,
        r.Input.ValidityDays,
        r.CreatedAt,
        r.ExpiresAt,
        r.DecidedBy,
        r.DecidedAt,
        r.Reason,
        r.SerialNumber);

    private static ProblemException Decided(ApprovalRecord record) => record.Status switch
    {
        ApprovalStatus.Expired => ProblemException.Conflict("request-expired", $"Request {record.RequestId} expired undecided at {record.ExpiresAt:u}; submit it again."),
        ApprovalStatus.Rejected => ProblemException.Conflict("request-rejected", $"Request {record.RequestId} was rejected by '{record.DecidedBy}': {record.Reason}"),
        _ => ProblemException.Conflict("request-decided", $"Request {record.RequestId} was already approved by '{record.DecidedBy}' ({record.Status.ToString().ToLowerInvariant()})."),
    };

    private static ProblemException UnknownRequest() =>
        ProblemException.NotFound("unknown-request", "No such request is held here (or it belongs to another team).");

    private static bool IsRequestId(string? id) => id is { Length: 32 } && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>A repeat of a key by the same caller finds the same request with one point read.</summary>
    private static string KeyedId(string callerId, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("approval\n" + callerId + "\n" + key)))[..32];

    private static string Hash(CertificateRequestInput input)
    {
        var canonical = string.Join('\n', input.Csr?.Trim(), input.Profile, input.Owner, input.Team,
            input.ValidityDays?.ToString(CultureInfo.InvariantCulture), input.AutoRenew?.ToString(CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>
    /// The transition is committed, then recorded (once per request and action). A failed append fails the call; the
    /// transition stands, and the record is missing from the trail (logged), since a retry finds the request decided.
    /// </summary>
    private Task RecordAsync(string action, ApprovalRecord record, string? detail) =>
        audit.AppendAsync(
            AuditEntry.Succeeded(action) with { RequestId = record.RequestId, Detail = detail, OnceKey = $"{action}:{record.RequestId}" },
            CancellationToken.None);
}
