using Microsoft.Extensions.Logging;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Errors;
using Pki.Core.Events;
using Pki.Core.Storage;

namespace Pki.Core.Renewal;

/// <summary>
/// Renewal requests from pipelines: the same path as <c>POST /api/certificates</c> (policy, idempotency key,
/// issuance) for the predecessor's profile and owner, then the predecessor is linked and a "renewed" event recorded.
/// Grants are those of the predecessor's team now, as for the automatic renewer (<see cref="Authority.Policy.TeamRule"/>).
/// </summary>
public sealed class RenewalRequestService(
    CertificateService certificates,
    CertificateIssuer issuer,
    ICertificateStore store,
    LifecycleEvents events,
    LifecycleEventRecorder recorder,
    CallerContext callers,
    ILogger<RenewalRequestService> logger)
{
    /// <summary>Who the audit trail and the grants see for a message on the renewal-requests queue.</summary>
    public const string QueueIdentity = "renewal-requests";

    /// <summary>Prefixes the pipeline's id, so it never meets an HTTP caller's Idempotency-Key.</summary>
    public const string IdempotencyKeyPrefix = "renewal-request:";

    /// <summary>One renewal-requests message, try <paramref name="dequeueCount"/>: a failure on the last try is logged as going to poison.</summary>
    public async Task<RenewalRequestOutcome> HandleAsync(RenewalRequest request, long dequeueCount, CancellationToken cancellationToken = default)
    {
        try
        {
            return await HandleAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (QueueRetries.MovesToPoison(dequeueCount, e))
        {
            logger.LogError(e, "Renewal request {RequestId} failed {DequeueCount} times; the message moves to the poison queue", request?.RequestId, dequeueCount);
            throw;
        }
    }

    /// <returns>The successor, or policy's refusal (audited by the request path, logged here as a warning): a refusal
    /// is final for this message, since the same CSR for the same certificate meets the same policy on every retry.</returns>
    /// <exception cref="FormatException">A field is missing or invalid; the queue retries, then poisons the message.</exception>
    /// <exception cref="ProblemException">A transient problem (request in progress, rate limit, service unavailable); the queue retries.</exception>
    public async Task<RenewalRequestOutcome> HandleAsync(RenewalRequest request, CancellationToken cancellationToken = default)
    {
        if (request is null || string.IsNullOrWhiteSpace(request.RequestId) || string.IsNullOrWhiteSpace(request.Csr))
        {
            throw new FormatException("A renewal request needs 'requestId', 'serialNumber' and 'csr'.");
        }

        string serial;
        try
        {
            serial = SerialNumbers.Normalize(request.SerialNumber);
        }
        catch (ProblemException e)
        {
            throw new FormatException($"Renewal request {request.RequestId} has no valid 'serialNumber': {e.Detail}", e);
        }

        var predecessor = await store.GetAsync(serial, cancellationToken).ConfigureAwait(false);
        if (predecessor is null)
        {
            throw new FormatException($"Renewal request {request.RequestId} names certificate {serial}, which was not issued here.");
        }

        // A revoked certificate (perhaps for a compromised key) is replaced by a new request, never renewed.
        if (predecessor.Status is not CertificateStatus.Issued)
        {
            throw new FormatException($"Renewal request {request.RequestId} names certificate {serial}, which is {predecessor.Status.ToString().ToLowerInvariant()}; request a new certificate with POST /api/certificates instead.");
        }

        var input = new CertificateRequestInput(request.Csr, predecessor.Profile, predecessor.Owner, request.ValidityDays, request.AutoRenew ?? predecessor.AutoRenew, predecessor.Team);
        IssuanceOutcome outcome;

        // The pipeline acts as a requester of the predecessor's team: the new CSR's names must lie within that team's
        // grants now, the rule the automatic renewer applies to the predecessor's names too.
        using var onBehalf = callers.Enter(new Caller(QueueIdentity, predecessor.Team, [Roles.Requester], "queue"));
        try
        {
            outcome = await certificates.RequestAsync(input, IdempotencyKeyPrefix + request.RequestId, serial, cancellationToken).ConfigureAwait(false);
        }
        catch (ProblemException e) when (IsFinal(e.Kind))
        {
            // Not rethrown: a retry would only audit the same refusal again and end in the poison queue.
            logger.LogWarning("Renewal request {RequestId} for certificate {SerialNumber} of team {Team} was refused: {ProblemType} {Detail}", request.RequestId, serial, predecessor.Team, e.Type, e.Detail);
            return RenewalRequestOutcome.Refused(e);
        }

        var successor = outcome.Certificate.SerialNumber;
        var linked = await store.TryLinkSuccessorAsync(serial, successor, CancellationToken.None).ConfigureAwait(false);
        if (linked != successor)
        {
            logger.LogWarning("Certificate {SerialNumber} already has successor {LinkedSerial}; {SuccessorSerial} of request {RequestId} stays unlinked", serial, linked, successor, request.RequestId);
            return RenewalRequestOutcome.Renewed(outcome);
        }

        // A replay after a crash links and records here too; the event's id is the same, so consumers see one event.
        // The successor's "issued" event goes out before its "renewed" event.
        await issuer.WhenDerivedAsync(successor).ConfigureAwait(false);
        var record = await store.GetAsync(successor, CancellationToken.None).ConfigureAwait(false);
        await recorder.RecordAsync(events.Renewed(record!, serial), CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("Renewal request {RequestId} renewed certificate {SerialNumber} as {SuccessorSerial}", request.RequestId, serial, successor);
        return RenewalRequestOutcome.Renewed(outcome);
    }

    /// <summary>The caller's mistakes (4xx) other than those that pass: a request still in progress, a rate limit.</summary>
    private static bool IsFinal(ProblemKind kind) => kind is not (ProblemKind.Conflict or ProblemKind.TooManyRequests or ProblemKind.Unavailable);
}
