using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Errors;
using Pki.Core.Revocation.Ocsp;

namespace Pki.Core.Revocation;

/// <summary>
/// Revokes a certificate: the certificate record first (the truth OCSP answers from), then the CA's revoked set
/// with its shard marked pending, the pre-signed OCSP response, and the shard and delta CRLs now or, when the CA's CRLs
/// were just published, by the CRL timer within its minute. A repeat changes no revocation state and signs nothing
/// unless a step a crash cut short is missing: then it does that step.
/// </summary>
public sealed class RevocationService(
    ICertificateStore certificates,
    IRevocationStore revocations,
    AuthorityDirectory authorities,
    CrlPublisher crls,
    OcspResponder ocsp,
    IEnumerable<IRevocationObserver> observers,
    IAuditTrail audit,
    TimeProvider time,
    IOptions<PkiOptions> options,
    CallerContext callers,
    ILogger<RevocationService> logger)
{
    public async Task<RevocationOutcome> RevokeAsync(string serialNumber, string? reasonName, CancellationToken cancellationToken = default)
    {
        RevokeResult result;
        try
        {
            var reason = RevocationReasons.Parse(reasonName);
            var normalized = SerialNumbers.Normalize(serialNumber);
            await CheckCallerMayRevokeAsync(normalized, cancellationToken).ConfigureAwait(false);
            result = await certificates.TryRevokeAsync(normalized, CaBootstrapper.Truncate(time.GetUtcNow()), reason, cancellationToken).ConfigureAwait(false)
                ?? throw ProblemException.NotFound("unknown-certificate", $"No certificate with serial number {normalized} was issued here.");
        }
        catch (ProblemException e)
        {
            await audit.AppendAsync(AuditEntry.Refused(AuditActions.Revoke, e) with { SerialNumber = serialNumber }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var record = result.Record;
        var serial = record.SerialNumber;

        if (result.Changed)
        {
            logger.LogInformation("Revoked certificate {SerialNumber} of CA {CaId}: {Reason}", serial, record.IssuerId, RevocationReasons.Name(record.RevocationReason!.Value));
        }

        // From here the revocation is recorded; the caller's cancellation no longer stops its publication.
        // A repeat redoes only what is missing, which finishes what a crash cut short without signing again.
        await PublishAsync(record, repeat: !result.Changed, CancellationToken.None).ConfigureAwait(false);

        // After publication, so a failing trail never holds back the CRL; the once key lets the caller's retry
        // (which finds the certificate revoked already) append what a failed append left out.
        await audit.AppendAsync(
            AuditEntry.Succeeded(AuditActions.Revoke) with
            {
                SerialNumber = serial,
                RequestId = record.RequestId,
                Detail = $"ca={record.IssuerId} reason={RevocationReasons.Name(record.RevocationReason!.Value)}",
                OnceKey = "revoke:" + serial,
            },
            CancellationToken.None).ConfigureAwait(false);

        return new RevocationOutcome(serial, "revoked", record.RevokedAt!.Value, RevocationReasons.Name(record.RevocationReason!.Value), AlreadyRevoked: !result.Changed);
    }

    /// <summary>A caller who does not manage every team revokes only its own team's certificates, and cannot learn of others'.</summary>
    private async Task CheckCallerMayRevokeAsync(string serial, CancellationToken cancellationToken)
    {
        var caller = callers.Current;
        if (caller.Has(Permission.ManageAllTeams))
        {
            return;
        }

        var record = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false);
        if (record is null || !caller.CanRead(record.Team))
        {
            throw ProblemException.NotFound("unknown-certificate", $"No certificate with serial number {serial} was issued here.");
        }

        if (!caller.CanManage(record.Team))
        {
            throw ProblemException.Forbidden("not-your-team", $"Certificate {serial} belongs to team '{record.Team ?? "none"}'; caller '{caller.Id}' may revoke only its own team's certificates.");
        }
    }

    /// <param name="repeat">The certificate was revoked already: write only what is missing.</param>
    private async Task PublishAsync(CertificateRecord record, bool repeat, CancellationToken cancellationToken)
    {
        var shard = record.CrlShard ?? CrlShards.Of(record.SerialNumber, options.Value.Revocation.CrlShards);
        var ca = await authorities.GetAsync(record.IssuerId, cancellationToken).ConfigureAwait(false);

        // The entry and its shard's pending marker are written together; the marker holds the shard for the CRL timer
        // until a CRL that holds the entry is published, so a CRL left for later is never left out.
        var written = !repeat || await revocations.GetAsync(record.IssuerId, shard, record.SerialNumber, cancellationToken).ConfigureAwait(false) is null;
        if (written)
        {
            await revocations.UpsertAsync(
                new RevocationEntry(record.IssuerId, record.SerialNumber, shard, record.RevokedAt!.Value, record.RevocationReason!.Value, record.NotAfter, time.GetUtcNow()),
                cancellationToken).ConfigureAwait(false);
        }

        var signed = await ocsp.EnsurePresignedAsync(record, ca, cancellationToken).ConfigureAwait(false);
        var crlsNow = written && await crls.TryPublishForRevocationAsync(ca, cancellationToken).ConfigureAwait(false);
        if (written || signed)
        {
            logger.LogInformation("Published revocation of {SerialNumber} of CA {CaId}: OCSP {Ocsp}, CRL shard {Shard} and delta {Crls}", record.SerialNumber,
                record.IssuerId, signed ? "signed" : "already stored", shard, crlsNow ? "published" : "pending for the CRL timer");
        }

        // Observers (the inventory) learn of it last; their failure never undoes or hides a revocation.
        foreach (var observer in observers)
        {
            try
            {
                await observer.OnRevokedAsync(record, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "{Observer} failed for revoked certificate {SerialNumber}; the next sweep corrects it", observer.GetType().Name, record.SerialNumber);
            }
        }
    }
}
