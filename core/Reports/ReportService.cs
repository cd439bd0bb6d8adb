using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Errors;
using Pki.Core.Inventory;

namespace Pki.Core.Reports;

/// <summary>
/// The ownership and compliance reports, both read from the inventory (which holds everything: what we issued and
/// what discovery found), page by page with the report's filters in the table query. For a certificate of ours the
/// compliance report also reads its certificate record (status, revocation time and profile) by serial: one point
/// read each, a few at a time, and only for items whose issuer is one of our CAs. Reading the whole inventory is what
/// an estate-wide report is; it is never held at once: a compliance page is written before the next is read.
/// </summary>
public sealed class ReportService(
    IInventoryItemStore inventory,
    ICertificateStore certificates,
    ProfileCatalog profiles,
    IOptions<PkiOptions> options,
    TimeProvider time,
    CallerContext callers)
{
    private readonly ReportsOptions _options = options.Value.Reports;
    private readonly FindingRules _findings = new(options.Value.Inventory);
    private readonly PolicyViolations _violations = new(options.Value.Reports, name => profiles.Names.Contains(name) ? profiles.Get(name).MaxValidityDays : null);

    /// <summary>
    /// Checks the filters against the caller now (the caller's context ends when the request's action returns, before
    /// the body is written) and returns the report, whose pages are read only as they are enumerated.
    /// </summary>
    public ComplianceReport OpenCompliance(ReportFilter filter)
    {
        var scoped = ScopeToCaller(filter);
        var now = time.GetUtcNow();
        return new ComplianceReport(now, scoped, CompliancePagesAsync(scoped, now));
    }

    public async Task<OwnershipReport> OwnershipAsync(ReportFilter filter, CancellationToken cancellationToken = default)
    {
        var scoped = ScopeToCaller(filter);
        var now = time.GetUtcNow();
        var teams = new SortedDictionary<string, SortedDictionary<string, (int Count, List<OwnedCertificate> Listed)>>(StringComparer.Ordinal);
        var unowned = new List<OwnedCertificate>();
        int total = 0, unownedCount = 0, listed = 0;
        await foreach (var page in ItemPagesAsync(scoped, now, cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in page.Where(i => !i.IsCa))
            {
                total++;
                var entry = new OwnedCertificate(item.Fingerprint, item.Subject, item.SerialNumber, item.NotAfter);
                var list = listed < _options.MaxOwnershipCertificates;
                if (string.IsNullOrWhiteSpace(item.Owner) || string.IsNullOrWhiteSpace(item.Team))
                {
                    unownedCount++;
                    if (list)
                    {
                        unowned.Add(entry with { Owner = item.Owner, Team = item.Team });
                        listed++;
                    }

                    continue;
                }

                // One team whatever the case it was recorded in ("Fleet" and "fleet" are one row of the matrix).
                var team = Teams.Normalize(item.Team)!;
                if (!teams.TryGetValue(team, out var owners))
                {
                    teams[team] = owners = new SortedDictionary<string, (int, List<OwnedCertificate>)>(StringComparer.Ordinal);
                }

                var (count, certificatesListed) = owners.TryGetValue(item.Owner, out var found) ? found : (0, new List<OwnedCertificate>());
                if (list)
                {
                    certificatesListed.Add(entry);
                    listed++;
                }

                owners[item.Owner] = (count + 1, certificatesListed);
            }
        }

        return new OwnershipReport(
            now,
            scoped,
            total,
            [.. teams.Select(t => new TeamOwnership(t.Key, t.Value.Values.Sum(o => o.Count),
                [.. t.Value.Select(o => new OwnerCertificates(o.Key, o.Value.Count, [.. o.Value.Listed.OrderBy(c => c.NotAfter)]))]))],
            unownedCount,
            [.. unowned.OrderBy(c => c.Team, StringComparer.Ordinal).ThenBy(c => c.NotAfter)],
            listed < total);
    }

    private async IAsyncEnumerable<IReadOnlyList<ComplianceRow>> CompliancePagesAsync(ReportFilter filter, DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in ItemPagesAsync(filter, now, cancellationToken).ConfigureAwait(false))
        {
            var records = await RecordsOfOursAsync(page, cancellationToken).ConfigureAwait(false);
            var rows = new ComplianceRow[page.Count];
            for (var i = 0; i < page.Count; i++)
            {
                rows[i] = Row(page[i], records[i], now);
            }

            yield return rows;
        }
    }

    private async IAsyncEnumerable<IReadOnlyList<InventoryItem>> ItemPagesAsync(ReportFilter filter, DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = new InventoryQuery(Team: filter.Team, ExpiresFrom: filter.ExpiresFrom, ExpiresTo: filter.ExpiresTo);
        string? token = null;
        do
        {
            var page = await inventory.QueryAsync(query, now, _findings.ExpiringBefore(now), _options.PageSize, token, cancellationToken).ConfigureAwait(false);
            token = page.ContinuationToken;
            if (page.Items.Count > 0)
            {
                yield return page.Items;
            }
        }
        while (token is not null);
    }

    /// <summary>The certificate record of each item our CAs issued (null for the rest), read concurrently but never more than a page at a time.</summary>
    private async Task<CertificateRecord?[]> RecordsOfOursAsync(IReadOnlyList<InventoryItem> page, CancellationToken cancellationToken)
    {
        var records = new CertificateRecord?[page.Count];
        var ours = Enumerable.Range(0, page.Count).Where(i => page[i].IssuerCaId is not null);
        await Parallel.ForEachAsync(ours, new ParallelOptions { MaxDegreeOfParallelism = _options.RecordReadConcurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var record = await certificates.GetAsync(page[i].SerialNumber, ct).ConfigureAwait(false);

            // A serial is unique per CA only: a record of another of our CAs with the same serial is not this certificate's.
            records[i] = record is not null && record.IssuerId == page[i].IssuerCaId ? record : null;
        }).ConfigureAwait(false);
        return records;
    }

    private ComplianceRow Row(InventoryItem item, CertificateRecord? record, DateTimeOffset now)
    {
        IReadOnlyList<Finding> findings = _findings.Timely(item.NotBefore, item.NotAfter, now) is { } timely ? [.. item.Findings, timely] : item.Findings;
        var status = item.Revoked || record?.Status == CertificateStatus.Revoked ? CertificateStatuses.Revoked
            : item.NotAfter < now ? CertificateStatuses.Expired
            : item.NotBefore > now ? CertificateStatuses.NotYetValid
            : CertificateStatuses.Valid;
        var view = InventoryItemView.From(item, findings, null);
        return new ComplianceRow(
            item.Fingerprint, item.SerialNumber, item.Subject, item.Issuer, item.IssuerCaId, item.DnsNames, item.IpAddresses, view.Sources, item.IsCa,
            status, record?.Profile, item.NotBefore, item.NotAfter, DaysToExpiry.Of(item.NotAfter, now),
            item.KeyAlgorithm, item.KeySize, item.SignatureAlgorithm, item.Owner, item.Team, item.LastSeen,
            view.Findings, _violations.Evaluate(item, findings, record, now));
    }

    /// <summary>A caller who does not read every team gets its own team's report only (the roles that read reports today read every team).</summary>
    private ReportFilter ScopeToCaller(ReportFilter filter)
    {
        var caller = callers.Current;
        if (caller.Has(Permission.ReadAllTeams))
        {
            return filter;
        }

        if (caller.Team is null || (filter.Team is { } asked && !caller.CanRead(asked)))
        {
            throw ProblemException.Forbidden("not-your-team", $"Caller '{caller.Id}' may read only its own team's reports (team: {caller.Team ?? "none"}).");
        }

        return filter with { Team = caller.Team };
    }
}
