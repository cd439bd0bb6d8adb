using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Access;
using Pki.Core.Inventory;

namespace Pki.Core.Storage;

/// <summary>
/// The inventory table: items keyed by fingerprint (one point read). Stored findings are also written as one boolean
/// column each, so the finding filter runs in the service. Teams are written normalised and read back normalised, so a
/// row stored before that rule ("Fleet") reads as "fleet".
/// </summary>
public sealed class TableInventoryItemStore(TableStorage storage) : IInventoryItemStore
{
    private const string FindingColumnPrefix = "F_";
    private const string TokenMark = "inv1 ";

    /// <summary>The table service's largest page (1,000 entities).</summary>
    private const int MaxTablePage = 1000;

    private static readonly InventorySources[] SourceFlags = [InventorySources.Issued, InventorySources.Endpoint, InventorySources.KeyVault];

    /// <summary>The stored findings and their flag columns, which the finding filter reads on the server.</summary>
    private static readonly (string Code, string Column)[] FindingColumns = [.. FindingCodes.Stored.Select(c => (c, FindingColumn(c)))];

    /// <summary>The columns <see cref="ScanForCountingAsync"/> reads: those behind the fields its items carry, nothing else.</summary>
    private static readonly string[] CountingColumns =
    [
        "PartitionKey", "NotBefore", "NotAfter", "RevokedAt", "Issuer", "IssuerCaId", "Owner", "Team",
        .. SourceFlags.Select(s => "Source" + s), .. FindingColumns.Select(f => f.Column),
    ];

    public async Task<(InventoryItem Item, string Version)?> GetAsync(string fingerprint, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Inventory, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(fingerprint, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? (FromEntity(response.Value!), response.Value!.ETag.ToString()) : null;
    }

    public async Task<bool> TryAddAsync(InventoryItem item, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Inventory, cancellationToken).ConfigureAwait(false);
        return await table.TryAddEntityAsync(ToEntity(item), cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task<bool> TryReplaceAsync(InventoryItem item, string version, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Inventory, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(ToEntity(item), new ETag(version), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    public async Task<InventoryPage> QueryAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset expiringBefore, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Inventory, cancellationToken).ConfigureAwait(false);
        var filter = Filter(query, now, expiringBefore);
        var from = continuationToken is null ? null : ContinuationTokens.Unwrap(TokenMark, continuationToken);
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken).AsPages(from, pageSize).ConfigureAwait(false))
            {
                // The team filter asks for every case of the team (rows from before teams were normalised): keep the team's own.
                var items = page.Values.Select(FromEntity).Where(i => query.Team is null || i.Team == Teams.Normalize(query.Team)).ToArray();
                return new InventoryPage(items, page.ContinuationToken is { } next ? ContinuationTokens.Wrap(TokenMark, next) : null);
            }
        }
        catch (RequestFailedException e) when (e.Status == 400 && continuationToken is not null)
        {
            throw ContinuationTokens.Invalid();
        }

        return new InventoryPage([], null);
    }

    public async IAsyncEnumerable<InventoryItem> ScanForCountingAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset expiringBefore, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Inventory, cancellationToken).ConfigureAwait(false);
        var team = Teams.Normalize(query.Team);
        await foreach (var entity in table.QueryAsync<TableEntity>(Filter(query, now, expiringBefore), MaxTablePage, CountingColumns, cancellationToken).ConfigureAwait(false))
        {
            var item = CountingItem(entity);
            if (team is null || item.Team == team)
            {
                yield return item;
            }
        }
    }

    private static string? Filter(InventoryQuery q, DateTimeOffset now, DateTimeOffset expiringBefore)
    {
        var clauses = new List<string>();
        if (q.ExpiringWithinDays is { } days)
        {
            clauses.Add(TableClient.CreateQueryFilter($"NotAfter ge {now} and NotAfter le {now.AddDays(days)}"));
        }

        if (q.RevokedWithinDays is { } revokedDays)
        {
            clauses.Add(TableClient.CreateQueryFilter($"RevokedAt ge {now.AddDays(-revokedDays)} and RevokedAt le {now}"));
        }

        if (q.ExpiresFrom is { } from)
        {
            clauses.Add(TableClient.CreateQueryFilter($"NotAfter ge {from}"));
        }

        if (q.ExpiresTo is { } to)
        {
            clauses.Add(TableClient.CreateQueryFilter($"NotAfter le {to}"));
        }

        if (q.Issuer is { } issuer)
        {
            clauses.Add(TableClient.CreateQueryFilter($"(Issuer eq {issuer} or IssuerCaId eq {issuer})"));
        }

        if (q.Owner is { } owner)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Owner eq {owner}"));
        }

        if (Teams.Normalize(q.Team) is { } team)
        {
            clauses.Add(CaseFoldedFilter.Of("Team", team));
        }

        switch (q.Finding)
        {
            case null:
                break;
            case FindingCodes.Expired:
                clauses.Add(TableClient.CreateQueryFilter($"NotAfter lt {now}"));
                break;
            case FindingCodes.Expiring:
                clauses.Add(TableClient.CreateQueryFilter($"NotAfter ge {now} and NotAfter le {expiringBefore}"));
                break;
            case InventoryTiles.OtherFindings:
                clauses.Add("(" + string.Join(" or ", InventoryTiles.OtherFindingCodes.Select(c => $"{FindingColumn(c)} eq true")) + ")");
                break;
            default:
                clauses.Add($"{FindingColumn(q.Finding)} eq true");
                break;
        }

        foreach (var source in SourceFlags)
        {
            if (q.Source is { } wanted && wanted.HasFlag(source))
            {
                clauses.Add($"Source{source} eq true");
            }
        }

        return clauses.Count == 0 ? null : string.Join(" and ", clauses);
    }

    /// <summary>A finding code as a column name ("weak-key" → F_weak_key); codes come from <see cref="FindingCodes"/> only.</summary>
    private static string FindingColumn(string code) => FindingColumnPrefix + code.Replace('-', '_');

    private static TableEntity ToEntity(InventoryItem i)
    {
        var entity = new TableEntity(i.Fingerprint, string.Empty)
        {
            ["Subject"] = i.Subject,
            ["Issuer"] = i.Issuer,
            ["SerialNumber"] = i.SerialNumber,
            ["NotBefore"] = i.NotBefore,
            ["NotAfter"] = i.NotAfter,
            ["DnsNames"] = InventoryTableFormat.Serialize(i.DnsNames),
            ["IpAddresses"] = InventoryTableFormat.Serialize(i.IpAddresses),
            ["KeyAlgorithm"] = i.KeyAlgorithm,
            ["KeySize"] = i.KeySize,
            ["SignatureAlgorithm"] = i.SignatureAlgorithm,
            ["IsCa"] = i.IsCa,
            ["Owner"] = i.Owner,
            ["Team"] = Teams.Normalize(i.Team),
            ["OwnerSource"] = i.OwnerSource.ToString(),
            ["FirstSeen"] = i.FirstSeen,
            ["LastSeen"] = i.LastSeen,
            ["IssuerCaId"] = i.IssuerCaId,
            ["Revoked"] = i.Revoked,
            ["RevokedAt"] = i.RevokedAt,
            ["Findings"] = InventoryTableFormat.Serialize(i.Findings),
        };
        foreach (var source in SourceFlags)
        {
            entity["Source" + source] = i.Sources.HasFlag(source);
        }

        foreach (var code in i.Findings.Select(f => f.Code).Distinct())
        {
            entity[FindingColumn(code)] = true;
        }

        return entity;
    }

    /// <summary>An item from <see cref="CountingColumns"/> only: the findings from their flag columns (code only), the fields no filter reads empty.</summary>
    private static InventoryItem CountingItem(TableEntity e) => new(
        e.PartitionKey,
        string.Empty,
        e.GetString("Issuer"),
        string.Empty,
        e.GetDateTimeOffset("NotBefore")!.Value,
        e.GetDateTimeOffset("NotAfter")!.Value,
        [],
        [],
        string.Empty,
        0,
        string.Empty,
        false,
        SourcesOf(e),
        e.GetString("Owner"),
        Teams.Normalize(e.GetString("Team")),
        OwnerSource.None,
        default,
        default,
        e.GetString("IssuerCaId"),
        false,
        [.. FindingColumns.Where(f => e.GetBoolean(f.Column) == true).Select(f => new Finding(f.Code, default, string.Empty))],
        e.GetDateTimeOffset("RevokedAt"));

    private static InventorySources SourcesOf(TableEntity e)
    {
        var sources = InventorySources.None;
        foreach (var source in SourceFlags)
        {
            if (e.GetBoolean("Source" + source) == true)
            {
                sources |= source;
            }
        }

        return sources;
    }

    private static InventoryItem FromEntity(TableEntity e)
    {
        var sources = SourcesOf(e);
        return new InventoryItem(
            e.PartitionKey,
            e.GetString("Subject"),
            e.GetString("Issuer"),
            e.GetString("SerialNumber"),
            e.GetDateTimeOffset("NotBefore")!.Value,
            e.GetDateTimeOffset("NotAfter")!.Value,
            InventoryTableFormat.Deserialize<string[]>(e.GetString("DnsNames") ?? "[]") ?? [],
            InventoryTableFormat.Deserialize<string[]>(e.GetString("IpAddresses") ?? "[]") ?? [],
            e.GetString("KeyAlgorithm"),
            e.GetInt32("KeySize") ?? 0,
            e.GetString("SignatureAlgorithm"),
            e.GetBoolean("IsCa") ?? false,
            sources,
            e.GetString("Owner"),
            Teams.Normalize(e.GetString("Team")),
            Enum.TryParse<OwnerSource>(e.GetString("OwnerSource"), out var ownerSource) ? ownerSource : OwnerSource.None,
            e.GetDateTimeOffset("FirstSeen")!.Value,
            e.GetDateTimeOffset("LastSeen")!.Value,
            e.GetString("IssuerCaId"),
            e.GetBoolean("Revoked") ?? false,
            InventoryTableFormat.Deserialize<Finding[]>(e.GetString("Findings") ?? "[]") ?? [],
            e.GetDateTimeOffset("RevokedAt"));
    }
}
