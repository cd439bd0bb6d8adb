using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;

namespace Pki.Core.Authority;

/// <summary>What the HTTP functions call: request (with idempotency), read, and list CAs.</summary>
public sealed class CertificateService(
    RegistrationAuthority registration,
    CertificateIssuer issuer,
    AuthorityDirectory authorities,
    ICertificateStore certificates,
    IRequestStore requests,
    IAuditTrail audit,
    TimeProvider time,
    CallerContext callers,
    ILogger<CertificateService> logger)
{
    public const int MaxIdempotencyKeyLength = 255;

    /// <summary>A pending claim older than this was left by a crash; a retry may take it over.</summary>
    public static readonly TimeSpan PendingLease = TimeSpan.FromMinutes(2);

    public Task<IssuanceOutcome> RequestAsync(CertificateRequestInput input, string? idempotencyKey, CancellationToken cancellationToken = default) =>
        RequestAsync(input, idempotencyKey, predecessorSerial: null, cancellationToken);

    /// <param name="predecessorSerial">The certificate this request renews (set by the renewal-requests queue, never from an HTTP body).</param>
    public async Task<IssuanceOutcome> RequestAsync(CertificateRequestInput input, string? idempotencyKey, string? predecessorSerial, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var bodyHash = Hash(input);
        if (idempotencyKey is null)
        {
            return await IssueUnkeyedAsync(input, bodyHash, predecessorSerial, cancellationToken).ConfigureAwait(false);
        }

        ValidateIdempotencyKey(idempotencyKey);
        idempotencyKey = Scoped(callers.Current, idempotencyKey);
        var replay = await ReplayAsync(idempotencyKey, bodyHash, cancellationToken).ConfigureAwait(false);
        if (replay is not null)
        {
            return replay;
        }

        // 1. Policy first: a refused request must not claim the key or store anything.
        var request = await ApproveAsync(input, predecessorSerial).ConfigureAwait(false);

        // 2. Claim the key; a request that holds it already (or held it and finished) answers instead.
        var requestId = NewRequestId();
        var claim = await requests.TryStartAsync(
            new IssuanceRequestRecord(requestId, idempotencyKey, bodyHash, RequestStatus.Pending, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        if (claim is null)
        {
            return await ReplayAsync(idempotencyKey, bodyHash, cancellationToken).ConfigureAwait(false) ?? throw InProgress();
        }

        // Invariant: one idempotency key never yields two certificates while its claim is live. The serial is bound to
        // the claim (conditional on its version) before the signature; losing the claim before signing stops the request.
        Reservation reservation;
        try
        {
            // 3. Reserve a serial, 4. bind it to the claim.
            reservation = await issuer.ReserveAsync(request, requestId, CancellationToken.None).ConfigureAwait(false);
            claim = await BindSerialAsync(claim, reservation).ConfigureAwait(false);
        }
        catch
        {
            // Nothing was signed: release our claim (if it is still ours) so the caller can retry at once.
            await requests.TryReleaseAsync(claim, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        // 5. Sign and record. Signed but not recorded keeps the claim with its serial, so a retry recovers the certificate.
        CertificateRecord issued;
        try
        {
            issued = await issuer.SignAndRecordAsync(reservation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not CertificateNotRecordedException)
        {
            // Not signed (the signer failed and the serial was given up), or superseded: release the claim if still ours.
            await requests.TryReleaseAsync(claim, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        // 6. Mark the key done, 7. respond.
        if (!await requests.TryCompleteAsync(claim, CancellationToken.None).ConfigureAwait(false))
        {
            logger.LogWarning("Request {RequestId} issued {SerialNumber} after its claim was taken over", requestId, issued.SerialNumber);
        }

        return new IssuanceOutcome(await ViewAsync(issued, cancellationToken).ConfigureAwait(false), Replayed: false);
    }

    /// <summary>
    /// Writes the reserved serial to the claim, conditional on the claim's version. A claim lost meanwhile (a retry
    /// took the key over) or a failed write gives the serial up unsigned and stops the request.
    /// </summary>
    private async Task<IssuanceRequestRecord> BindSerialAsync(IssuanceRequestRecord claim, Reservation reservation)
    {
        IssuanceRequestRecord? bound;
        try
        {
            bound = await requests.TryAttachSerialAsync(claim, reservation.SerialNumber, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await issuer.AbandonAsync(reservation).ConfigureAwait(false);
            throw;
        }

        if (bound is null)
        {
            await issuer.AbandonAsync(reservation).ConfigureAwait(false);
            throw CertificateIssuer.Superseded();
        }

        return bound;
    }

    public async Task<CertificateView> GetAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        var serial = SerialNumbers.Normalize(serialNumber);
        var record = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false);
        // Another team's certificate is answered as unknown: its existence is that team's business.
        if (record is not { Status: CertificateStatus.Issued or CertificateStatus.Revoked, CertificateDer: not null } || !callers.Current.CanRead(record.Team))
        {
            throw ProblemException.NotFound("unknown-certificate", $"No certificate with serial number {serial} was issued here.");
        }

        return await ViewAsync(record, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IssuanceOutcome> IssueUnkeyedAsync(CertificateRequestInput input, string bodyHash, string? predecessorSerial, CancellationToken cancellationToken)
    {
        var request = await ApproveAsync(input, predecessorSerial).ConfigureAwait(false);
        var requestId = NewRequestId();
        var record = new IssuanceRequestRecord(requestId, null, bodyHash, RequestStatus.Pending, time.GetUtcNow());
        CertificateRecord issued;
        try
        {
            issued = await issuer.IssueAsync(request, requestId, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or ProblemException))
        {
            await TryRecordFailureAsync(record, e).ConfigureAwait(false);
            throw;
        }

        await requests.RecordAsync(record with { Status = RequestStatus.Issued, SerialNumber = issued.SerialNumber }, CancellationToken.None).ConfigureAwait(false);
        return new IssuanceOutcome(await ViewAsync(issued, cancellationToken).ConfigureAwait(false), Replayed: false);
    }

    private async Task TryRecordFailureAsync(IssuanceRequestRecord record, Exception failure)
    {
        try
        {
            var serial = (failure as CertificateNotRecordedException)?.SerialNumber;
            await requests.RecordAsync(record with { Status = RequestStatus.Failed, SerialNumber = serial }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The original failure is what the caller must see; this one is only logged.
            logger.LogError(e, "Could not record failed request {RequestId}", record.RequestId);
        }
    }

    /// <summary>The first result for a repeated key, null when the key is free (or a crashed claim was released), or a refusal.</summary>
    private async Task<IssuanceOutcome?> ReplayAsync(string key, string bodyHash, CancellationToken cancellationToken)
    {
        var existing = await requests.GetByIdempotencyKeyAsync(key, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return null;
        }

        if (existing.BodyHash != bodyHash)
        {
            throw ProblemException.Unprocessable("idempotency-key-reused", "This Idempotency-Key was used for a different request body; use a new key for a new request.");
        }

        if (existing.Status == RequestStatus.Issued && existing.SerialNumber is not null)
        {
            return new IssuanceOutcome(await GetAsync(existing.SerialNumber, cancellationToken).ConfigureAwait(false), Replayed: true);
        }

        var lapsed = time.GetUtcNow() - existing.LeaseStart >= PendingLease;
        if (existing.SerialNumber is { } serial)
        {
            var record = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false);
            if (record is { Status: CertificateStatus.Issuing } && lapsed)
            {
                // Invariant: one key, one certificate. Its first attempt looks dead, but may only be slow (a frozen
                // host, Key Vault throttling): the serial is made unissuable before the key is freed, and whichever of
                // this and the attempt's own write lands first decides.
                record = await certificates.AbandonIfIssuingAsync(serial, cancellationToken).ConfigureAwait(false);
                if (record is { Status: CertificateStatus.Abandoned })
                {
                    await audit.AppendAsync(CertificateIssuer.AbandonedEntry(existing.RequestId, serial, $"the request stopped before the certificate was stored and a retry took its Idempotency-Key over after {PendingLease.TotalMinutes:0} minutes"), cancellationToken).ConfigureAwait(false);
                }
            }

            if (record is { Status: CertificateStatus.Issued or CertificateStatus.Revoked })
            {
                // Signed and stored, but the request was not marked done (a crash or a lost reply): finish it now,
                // derived rows and audit record included (each written once however often this runs).
                await issuer.FinishAsync(record, cancellationToken).ConfigureAwait(false);
                await requests.TryCompleteAsync(existing, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Recovered certificate {SerialNumber} for request {RequestId}", serial, existing.RequestId);
                return new IssuanceOutcome(await ViewAsync(record, cancellationToken).ConfigureAwait(false), Replayed: true);
            }
        }

        if (!lapsed)
        {
            throw InProgress();
        }

        logger.LogWarning("Releasing stale claim of request {RequestId} (serial {SerialNumber}) for a retry", existing.RequestId, existing.SerialNumber);
        return await requests.TryReleaseAsync(existing, cancellationToken).ConfigureAwait(false) ? null : throw InProgress();
    }

    /// <summary>Policy; a refusal is audited (with its problem type) before the caller sees it.</summary>
    private async Task<IssuanceRequest> ApproveAsync(CertificateRequestInput input, string? predecessorSerial)
    {
        try
        {
            return Immediate(registration.Approve(input)) with { PredecessorSerial = predecessorSerial };
        }
        catch (ProblemException e)
        {
            await audit.AppendAsync(AuditEntry.Refused(AuditActions.Request, e) with { SerialNumber = predecessorSerial }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Invariant: a profile that requires approval is never issued on this path, only by the approval service after
    /// an approver approved. <see cref="CertificateRequests"/> sends such requests there; this catches any other path (renewal requests).
    /// </summary>
    private static IssuanceRequest Immediate(IssuanceRequest request) => request.Profile.RequiresApproval
        ? throw ProblemException.Unprocessable("approval-required", $"Certificates of profile '{request.Profile.Name}' are issued only after approval; submit the request to {Routes.Prefix}/{Routes.Certificates} and have an approver approve it.")
        : request;

    /// <summary>The response shape of an issued or revoked certificate.</summary>
    public async Task<CertificateView> ViewAsync(CertificateRecord record, CancellationToken cancellationToken = default)
    {
        var ca = await authorities.GetAsync(record.IssuerId, cancellationToken).ConfigureAwait(false);
        return new CertificateView(
            record.SerialNumber,
            Pem.Certificate(record.CertificateDer!),
            Pem.Certificate(ca.CertificateDer),
            record.NotBefore,
            record.NotAfter,
            record.Profile,
            record.Owner,
            record.Status.ToString().ToLowerInvariant(),
            record.IssuerId,
            record.RevokedAt,
            record.RevocationReason is { } reason ? RevocationReasons.Name(reason) : null,
            record.Team,
            AutoRenewal.AutoRenews(record),
            record.PredecessorSerial,
            await CertificateLinks.IssuedSuccessorAsync(certificates, record, cancellationToken).ConfigureAwait(false));
    }

    private static string NewRequestId() => Guid.NewGuid().ToString("N");

    private static ProblemException InProgress() =>
        ProblemException.Conflict("request-in-progress", "A request with this Idempotency-Key is still being processed; retry in a moment.");

    /// <summary>
    /// Keys belong to their caller: the same key from another caller (another team's pipeline, or the service's own
    /// renewal-request keys) is another request, and a caller learns nothing of keys that are not its own.
    /// </summary>
    private static string Scoped(Caller caller, string key) => $"{caller.AuthenticationMethod}:{caller.Id}\n{key}";

    internal static void ValidateIdempotencyKey(string key)
    {
        if (key.Length is 0 or > MaxIdempotencyKeyLength || key.Any(c => c < 0x21 || c > 0x7E))
        {
            throw ProblemException.BadRequest("invalid-idempotency-key", $"Idempotency-Key must be 1 to {MaxIdempotencyKeyLength} visible ASCII characters.");
        }
    }

    private static string Hash(CertificateRequestInput input)
    {
        var canonical = string.Join('\n', input.Csr?.Trim(), input.Profile, input.Owner?.Trim(), input.ValidityDays?.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Appended only when given, so bodies without it hash as they did before the field existed.
        if (input.AutoRenew is { } autoRenew)
        {
            canonical += "\nautoRenew=" + (autoRenew ? "true" : "false");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
