using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Authority;
using Pki.Core.Authority.Approvals;

namespace Pki.Core.Storage;

/// <summary>
/// Requests held for approval, in one table. Each request is its own partition (<c>request-{id}</c>), read by id and
/// changed only with If-Match on the ETag last read. The partition <c>pending</c> lists the requests still waiting,
/// one row each keyed <c>{team}|{id}</c>: listing reads that partition (one team's range of it for a requester), so
/// it grows with what is pending, never with history. The row is written before the request and removed after the
/// request left pending; a row whose request is decided or missing is skipped (and removed) by the listing.
/// </summary>
public sealed class TableApprovalStore(TableStorage storage) : IApprovalStore
{
    public const string PendingPartition = "pending";

    /// <summary>Sorts after every character a team name may hold, so <c>{team}|</c> .. <c>{team}}</c> is one team's range.</summary>
    private const char Separator = '|';
    private const char AfterSeparator = '}';
    private const string TokenMark = "approvals:";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<ApprovalRecord?> GetAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Approvals, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition(requestId), string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<ApprovalRecord?> TryAddAsync(ApprovalRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var table = await storage.GetTableAsync(TableNames.Approvals, cancellationToken).ConfigureAwait(false);

        // Listed first: a crash between the two writes leaves a row the listing skips, never a pending request nobody sees.
        await table.UpsertEntityAsync(new TableEntity(PendingPartition, ListingKey(record)) { ["RequestId"] = record.RequestId }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        var version = await table.TryAddEntityAsync(ToEntity(record), cancellationToken).ConfigureAwait(false);
        return version is null ? null : record with { Version = version.ToString() };
    }

    public async Task<ApprovalRecord?> TryUpdateAsync(ApprovalRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var table = await storage.GetTableAsync(TableNames.Approvals, cancellationToken).ConfigureAwait(false);
        var version = await table.TryUpdateEntityAsync(ToEntity(record), new ETag(record.Version!), cancellationToken).ConfigureAwait(false);
        return version is null ? null : record with { Version = version.ToString() };
    }

    public async Task UnlistAsync(ApprovalRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var table = await storage.GetTableAsync(TableNames.Approvals, cancellationToken).ConfigureAwait(false);

        // The client reports a missing row as a 404 response, which is the state we want.
        await table.DeleteEntityAsync(PendingPartition, ListingKey(record), ETag.All, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PendingPage> ListPendingAsync(string? team, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        // A position is the last listing key of a page: never empty.
        var after = continuationToken is null ? null : ContinuationTokens.Unwrap(TokenMark, continuationToken, key => key.Length > 0);
        var table = await storage.GetTableAsync(TableNames.Approvals, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PendingPartition}");
        if (team is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey gt {team + Separator} and RowKey lt {team + AfterSeparator}");
        }

        if (after is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey gt {after}");
        }

        var entries = new List<PendingEntry>(pageSize);
        string? lastKey = null;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, Math.Min(pageSize + 1, 1000), ["RowKey", "RequestId"], cancellationToken).ConfigureAwait(false))
        {
            if (entries.Count == pageSize)
            {
                // One more exists: the next page starts after the last row of this one.
                return new PendingPage(entries, lastKey is null ? null : ContinuationTokens.Wrap(TokenMark, lastKey));
            }

            var key = row.RowKey;
            entries.Add(new PendingEntry(row.GetString("RequestId"), key[..key.IndexOf(Separator, StringComparison.Ordinal)]));
            lastKey = key;
        }

        return new PendingPage(entries, null);
    }

    private static string Partition(string requestId) => "request-" + requestId;

    private static string ListingKey(ApprovalRecord record) => record.Team + Separator + record.RequestId;

    private static TableEntity ToEntity(ApprovalRecord r) => new(Partition(r.RequestId), string.Empty)
    {
        ["RequestId"] = r.RequestId,
        ["Csr"] = r.Input.Csr,
        ["Profile"] = r.Input.Profile,
        ["Owner"] = r.Input.Owner,
        ["ValidityDays"] = r.Input.ValidityDays,
        ["AutoRenew"] = r.Input.AutoRenew,
        ["Team"] = r.Team,
        ["RequesterId"] = r.RequesterId,
        ["RequesterTeam"] = r.RequesterTeam,
        ["RequesterRoles"] = JsonSerializer.Serialize(r.RequesterRoles, Json),
        ["CommonName"] = r.CommonName,
        ["Names"] = JsonSerializer.Serialize(r.Names, Json),
        ["BodyHash"] = r.BodyHash,
        ["Status"] = r.Status.ToString(),
        ["CreatedAt"] = r.CreatedAt,
        ["ExpiresAt"] = r.ExpiresAt,
        ["DecidedBy"] = r.DecidedBy,
        ["DecidedAt"] = r.DecidedAt,
        ["Reason"] = r.Reason,
        ["SerialNumber"] = r.SerialNumber,
        ["PredecessorSerial"] = r.PredecessorSerial,
    };

    private static ApprovalRecord FromEntity(TableEntity e)
    {
        var team = e.GetString("Team");
        return new ApprovalRecord(
            e.GetString("RequestId"),
            new CertificateRequestInput(e.GetString("Csr"), e.GetString("Profile"), e.GetString("Owner"), e.GetInt32("ValidityDays"), e.GetBoolean("AutoRenew"), team),
            team,
            e.GetString("RequesterId"),
            e.GetString("RequesterTeam"),
            JsonSerializer.Deserialize<string[]>(e.GetString("RequesterRoles"), Json) ?? [],
            e.GetString("CommonName"),
            JsonSerializer.Deserialize<string[]>(e.GetString("Names"), Json) ?? [],
            e.GetString("BodyHash"),
            Enum.Parse<ApprovalStatus>(e.GetString("Status")),
            e.GetDateTimeOffset("CreatedAt")!.Value,
            e.GetDateTimeOffset("ExpiresAt")!.Value,
            e.GetString("DecidedBy"),
            e.GetDateTimeOffset("DecidedAt"),
            e.GetString("Reason"),
            e.GetString("SerialNumber"),
            e.ETag.ToString(),
            e.GetString("PredecessorSerial"));
    }
}
