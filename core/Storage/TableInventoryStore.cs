using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Access;
using Pki.Core.Errors;
using Pki.Core.Inventory;

namespace Pki.Core.Storage;

/// <summary>
/// Items keyed by fingerprint (one point read); locations in the item's partition of a second table;
/// a location index (partition = location) and a DNS-name index of our own certificates, so that
/// "what is at this endpoint" and "is there a newer one for these names" are single-partition reads.
/// Stored findings are also written as one boolean column each, so the finding filter runs in the service.
/// Teams are written normalised and read back normalised, so a row stored before that rule ("Fleet") reads as "fleet".
/// </summary>
public sealed class TableInventoryStore(TableStorage storage) : IInventoryStore
{
    private const string FindingColumnPrefix = "F_";
    private const string TokenMark = "inv1 ";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

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
        var from = continuationToken is null ? null : Unwrap(continuationToken);
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken).AsPages(from, pageSize).ConfigureAwait(false))
            {
                // The team filter asks for every case of the team (rows from before teams were normalised): keep the team's own.
                var items = page.Values.Select(FromEntity).Where(i => query.Team is null || i.Team == Teams.Normalize(query.Team)).ToArray();
                return new InventoryPage(items, page.ContinuationToken is { } next ? Wrap(next) : null);
            }
        }
        catch (RequestFailedException e) when (e.Status == 400 && continuationToken is not null)
        {
            throw InvalidToken();
        }

        return new InventoryPage([], null);
    }

    public async Task<InventoryLocation?> UpsertLocationAsync(InventoryLocation location, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.InventoryLocations, cancellationToken).ConfigureAwait(false);
        var key = LocationKey(location.Location);
        var entity = new TableEntity(location.Fingerprint, key)
        {
            ["Location"] = location.Location,
            ["Kind"] = location.Kind.ToString(),
            ["Position"] = location.Position,
            ["FirstSeen"] = location.FirstSeen,
            ["LastSeen"] = location.LastSeen,
            ["ServerName"] = location.ServerName,
            ["Address"] = location.Address,
            ["SweepId"] = location.SweepId,
            ["Chain"] = JsonSerializer.Serialize(location.ChainFingerprints, Json),
            ["Findings"] = JsonSerializer.Serialize(location.Findings, Json),
            ["Current"] = location.Current,
        };
        InventoryLocation? previous = null;
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(location.Fingerprint, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (existing.HasValue)
        {
            // Seen before: everything but when it was first seen is this sighting's.
            previous = LocationFromEntity(existing.Value!);
            entity.Remove("FirstSeen");
            await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        else if (await table.TryAddEntityAsync(entity, cancellationToken).ConfigureAwait(false) is null)
        {
            // Another writer added it a moment ago (a redelivered batch): the same sighting, so merge.
            entity.Remove("FirstSeen");
            await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }

        var index = await storage.GetTableAsync(TableNames.InventoryByLocation, cancellationToken).ConfigureAwait(false);
        await index.UpsertEntityAsync(new TableEntity(key, location.Fingerprint) { ["LastSeen"] = location.LastSeen, ["Current"] = location.Current }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        return previous;
    }

    public async Task UpdateLocationFindingsAsync(string fingerprint, string location, IReadOnlyList<Finding> findings, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.InventoryLocations, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(fingerprint, LocationKey(location)) { ["Findings"] = JsonSerializer.Serialize(findings, Json) }, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Gone meanwhile: nothing to mark.
        }
    }

    public async Task SupersedeLocationAsync(string fingerprint, string location, CancellationToken cancellationToken = default)
    {
        var key = LocationKey(location);
        var table = await storage.GetTableAsync(TableNames.InventoryLocations, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(fingerprint, key) { ["Current"] = false, ["Findings"] = "[]" }, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Only the index knew it (a crash between the two writes): nothing to mark.
        }

        var index = await storage.GetTableAsync(TableNames.InventoryByLocation, cancellationToken).ConfigureAwait(false);
        await index.UpsertEntityAsync(new TableEntity(key, fingerprint) { ["Current"] = false }, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<InventoryLocation>> ListLocationsAsync(string fingerprint, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.InventoryLocations, cancellationToken).ConfigureAwait(false);
        var locations = new List<InventoryLocation>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == fingerprint, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            locations.Add(LocationFromEntity(e));
        }

        return locations;
    }

    public async Task<IReadOnlyList<(string Fingerprint, bool Current)>> ListAtLocationAsync(string location, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.InventoryByLocation, cancellationToken).ConfigureAwait(false);
        var key = LocationKey(location);
        var found = new List<(string, bool)>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == key, select: ["RowKey", "Current"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add((e.RowKey, e.GetBoolean("Current") ?? true));
        }

        return found;
    }

    private static InventoryLocation LocationFromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("Location"),
        Enum.Parse<LocationKind>(e.GetString("Kind")),
        e.GetInt32("Position") ?? 0,
        e.GetDateTimeOffset("FirstSeen")!.Value,
        e.GetDateTimeOffset("LastSeen")!.Value,
        e.GetString("ServerName"),
        e.GetString("Address"),
        e.GetString("SweepId"),
        JsonSerializer.Deserialize<string[]>(e.GetString("Chain") ?? "[]", Json) ?? [],
        JsonSerializer.Deserialize<Finding[]>(e.GetString("Findings") ?? "[]", Json) ?? [],
        e.GetBoolean("Current") ?? true);

    public async Task UpsertNameAsync(NamedCertificate entry, CancellationToken cancellationToken = default)
    {
        // Group-committed with concurrent entries of the same name (renewals and reissues of one host name).
        await storage.UpsertAsync(
            TableNames.InventoryNames,
            new TableEntity(entry.DnsName, entry.Fingerprint)
            {
                ["Names"] = JsonSerializer.Serialize(entry.DnsNames, Json),
                ["NotBefore"] = entry.NotBefore,
                ["NotAfter"] = entry.NotAfter,
                ["IssuerCaId"] = entry.IssuerCaId,
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<NamedCertificate>> ListByNameAsync(string dnsName, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.InventoryNames, cancellationToken).ConfigureAwait(false);
        var found = new List<NamedCertificate>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == dnsName, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(new NamedCertificate(
                e.PartitionKey, e.RowKey, JsonSerializer.Deserialize<string[]>(e.GetString("Names"), Json) ?? [],
                e.GetDateTimeOffset("NotBefore")!.Value, e.GetDateTimeOffset("NotAfter")!.Value, e.GetString("IssuerCaId")));
        }

        return found;
    }

    private static string Wrap(string token) => ContinuationTokens.Wrap(TokenMark, token);

    private static string Unwrap(string token) => ContinuationTokens.Unwrap(TokenMark, token);

    private static ProblemException InvalidToken() => ContinuationTokens.Invalid();

    /// <summary>Locations hold '/' and ':', which keys forbid or make awkward; base64url keeps them exact and reversible.</summary>
    private static string LocationKey(string location) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(location));

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

        foreach (var source in new[] { InventorySources.Issued, InventorySources.Endpoint, InventorySources.KeyVault })
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
            ["DnsNames"] = JsonSerializer.Serialize(i.DnsNames, Json),
            ["IpAddresses"] = JsonSerializer.Serialize(i.IpAddresses, Json),
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
            ["Findings"] = JsonSerializer.Serialize(i.Findings, Json),
        };
        foreach (var source in new[] { InventorySources.Issued, InventorySources.Endpoint, InventorySources.KeyVault })
        {
            entity["Source" + source] = i.Sources.HasFlag(source);
        }

        foreach (var code in i.Findings.Select(f => f.Code).Distinct())
        {
            entity[FindingColumn(code)] = true;
        }

        return entity;
    }

    private static InventoryItem FromEntity(TableEntity e)
    {
        var sources = InventorySources.None;
        foreach (var source in new[] { InventorySources.Issued, InventorySources.Endpoint, InventorySources.KeyVault })
        {
            if (e.GetBoolean("Source" + source) == true)
            {
                sources |= source;
            }
        }

        return new InventoryItem(
            e.PartitionKey,
            e.GetString("Subject"),
            e.GetString("Issuer"),
            e.GetString("SerialNumber"),
            e.GetDateTimeOffset("NotBefore")!.Value,
            e.GetDateTimeOffset("NotAfter")!.Value,
            JsonSerializer.Deserialize<string[]>(e.GetString("DnsNames") ?? "[]", Json) ?? [],
            JsonSerializer.Deserialize<string[]>(e.GetString("IpAddresses") ?? "[]", Json) ?? [],
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
            JsonSerializer.Deserialize<Finding[]>(e.GetString("Findings") ?? "[]", Json) ?? [],
            e.GetDateTimeOffset("RevokedAt"));
    }
}
