using Microsoft.Extensions.Logging;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Errors;
using Pki.Core.Renewal;

namespace Pki.Core.Acme;

/// <summary>
/// The admin's "renew early": an ACME certificate's renewal window (RFC 9773) opens now, so its client renews at its
/// next renewalInfo check. For one certificate the mark is on its record (the first request's time stays); for every
/// certificate of an issuing CA or a team it is one row per scope, read by renewalInfo in a point read and applying to
/// the certificates issued before it (their successors are not renewed again); the latest request wins. Audited;
/// changes nothing else (a certificate stays valid until its successor replaces it or someone revokes it).
/// </summary>
public sealed class AcmeEarlyRenewal(ICertificateStore certificates, IAcmeStore store, AuthorityDirectory authorities, IAuditTrail audit, TimeProvider time, ILogger<AcmeEarlyRenewal> logger) : IExternalEarlyRenewal
{
    private const int MaxTeamLength = 64;

    public static string AuthorityScope(string authorityId) => "ca-" + authorityId;

    public static string TeamScope(string team) => "team-" + team;

    /// <summary>When the certificate was asked to be renewed early (itself, its CA or its team; the earliest that applies), or null.</summary>
    public async Task<DateTimeOffset?> RenewEarlyAtAsync(CertificateRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var issuedAt = record.IssuedAt ?? record.CreatedAt;
        var own = store.FindCertificateAsync(record.SerialNumber, cancellationToken);
        var ca = store.GetRenewEarlyScopeAsync(AuthorityScope(record.IssuerId), cancellationToken);
        var team = record.Team is { } t ? store.GetRenewEarlyScopeAsync(TeamScope(t), cancellationToken) : Task.FromResult<DateTimeOffset?>(null);
        DateTimeOffset? earliest = (await own.ConfigureAwait(false))?.RenewEarlyAt;
        foreach (var scope in new[] { await ca.ConfigureAwait(false), await team.ConfigureAwait(false) })
        {
            // Issue times are kept to the second: a certificate issued within the second before the mark is taken as issued after it.
            if (scope is { } at && at >= issuedAt + TimeSpan.FromSeconds(1) && (earliest is null || at < earliest))
            {
                earliest = at;
            }
        }

        return earliest;
    }

    /// <summary>Every certificate the CA issued before now: one row written, however many there are.</summary>
    public async Task<AcmeScopeRenewalView> RenewAuthorityEarlyAsync(string authorityId, CancellationToken cancellationToken = default)
    {
        try
        {
            var authority = await authorities.GetAsync(authorityId, cancellationToken).ConfigureAwait(false);
            return await MarkScopeAsync(AuthorityScope(authority.Id), $"every ACME certificate CA {authority.Id} issued", cancellationToken).ConfigureAwait(false);
        }
        catch (ProblemException e)
        {
            await audit.AppendAsync(AuditEntry.Refused(AcmeAuditActions.RenewEarly, e) with { TargetId = authorityId }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Every certificate of the team issued before now: one row written, however many there are.</summary>
    public async Task<AcmeScopeRenewalView> RenewTeamEarlyAsync(string team, CancellationToken cancellationToken = default)
    {
        try
        {
            var normalized = Teams.Normalize(team);
            if (normalized is not { Length: <= MaxTeamLength } || !normalized.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                throw ProblemException.Unprocessable("invalid-team", $"A team name is 1 to {MaxTeamLength} letters, digits, '-', '_' or '.'.");
            }

            return await MarkScopeAsync(TeamScope(normalized), $"every ACME certificate of team {normalized}", cancellationToken).ConfigureAwait(false);
        }
        catch (ProblemException e)
        {
            await audit.AppendAsync(AuditEntry.Refused(AcmeAuditActions.RenewEarly, e) with { TargetId = team }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<AcmeScopeRenewalView> MarkScopeAsync(string scope, string what, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await store.SetRenewEarlyScopeAsync(scope, now, cancellationToken).ConfigureAwait(false);
        await audit.AppendAsync(AuditEntry.Succeeded(AcmeAuditActions.RenewEarly) with { TargetId = scope, Detail = $"Renewal window of {what} before {now:o} opened early" }, CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("ACME early renewal of {Scope} at {RenewEarlyAt}", scope, now);
        return new AcmeScopeRenewalView(scope, now);
    }

    /// <summary>The service-wide "renew early" (<see cref="EarlyRenewalService"/>) for a certificate issued through ACME: its window opens; null for any other.</summary>
    public async Task<ExternalEarlyRenewal?> TryRenewEarlyAsync(CertificateRecord certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (await store.FindCertificateAsync(certificate.SerialNumber, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        var view = await RenewEarlyAsync(certificate.SerialNumber, cancellationToken).ConfigureAwait(false);
        var window = view.SuggestedWindow;
        return new ExternalEarlyRenewal(view.RenewEarlyAt, window.Start, window.End,
            $"Issued through ACME: its renewal window (RFC 9773) is open from {window.Start:O} to {window.End:O}, so its ACME client replaces it at its next check; it stays valid until then.");
    }

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

            var (start, end) = AcmeRenewalInfoService.Window(record, await RenewEarlyAtAsync(record, cancellationToken).ConfigureAwait(false), now);
            return new AcmeEarlyRenewalView(serial, marked.RenewEarlyAt!.Value, new AcmeRenewalInfoService.WindowBody(start, end));
        }
        catch (ProblemException e)
        {
            await audit.AppendAsync(AuditEntry.Refused(AcmeAuditActions.RenewEarly, e) with { SerialNumber = serialNumber }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }
}
