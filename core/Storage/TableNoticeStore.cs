using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Notifications;

namespace Pki.Core.Storage;

/// <summary>
/// <c>notices</c>: PK fingerprint, RK <c>{threshold:0000}-{level}</c>, one row per notice. <c>noticedigests</c>: PK
/// <c>digest-{yyyyMMdd}</c> (UTC day sent), RK <c>{owner}|{fingerprint}|{threshold:0000}-{level}</c> with the notice as
/// JSON; and PK <c>sent-{yyyyMMdd}</c>, RK owner, once that day's digest went out. Owners are escaped for keys.
/// </summary>
public sealed class TableNoticeStore(TableStorage storage) : INoticeStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const int MaxClaimAttempts = 8;
    private const int MaxListed = 20;

    public static string RowKey(int thresholdDays, RecipientLevel level) =>
        thresholdDays.ToString("0000", CultureInfo.InvariantCulture) + "-" + level.ToString().ToLowerInvariant();

    public async Task<NoticeRecord?> GetAsync(string fingerprint, int thresholdDays, RecipientLevel level, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Notices, cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(fingerprint, RowKey(thresholdDays, level), cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? Read(found.Value!, thresholdDays, level) : null;
    }

    public async Task<ClaimResult> TryClaimAsync(string fingerprint, int thresholdDays, RecipientLevel level, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Notices, cancellationToken).ConfigureAwait(false);
        var rowKey = RowKey(thresholdDays, level);
        for (var attempt = 0; ; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(fingerprint, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            var entity = new TableEntity(fingerprint, rowKey)
            {
                ["State"] = nameof(NoticeState.Claimed),
                ["Holder"] = holder,
                ["ClaimedUntil"] = until,
                ["Channels"] = string.Empty,
            };
            try
            {
                if (!found.HasValue)
                {
                    var added = await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                    return new ClaimResult(ClaimOutcome.Claimed, Read(entity, thresholdDays, level) with { Version = added.Headers.ETag.ToString()! });
                }

                var current = Read(found.Value!, thresholdDays, level);
                if (current.State == NoticeState.Sent)
                {
                    return new ClaimResult(ClaimOutcome.AlreadySent, current);
                }

                if (current.Holder != holder && current.ClaimedUntil > now)
                {
                    return new ClaimResult(ClaimOutcome.HeldByOther, current);
                }

                // Taking over keeps the channels already done: they are not sent again.
                entity["Channels"] = string.Join(',', current.Channels);
                var replaced = await table.UpdateEntityAsync(entity, found.Value!.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return new ClaimResult(ClaimOutcome.Claimed, Read(entity, thresholdDays, level) with { Version = replaced.Headers.ETag.ToString()! });
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < MaxClaimAttempts)
            {
                // Another message wrote first: read again and decide on what it wrote.
            }
        }
    }

    public Task<NoticeRecord> MarkChannelAsync(NoticeRecord claim, string channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return WriteAsync(claim with { Channels = [.. claim.Channels.Append(channel).Distinct(StringComparer.Ordinal)] }, cancellationToken);
    }

    public Task<NoticeRecord> MarkSentAsync(NoticeRecord claim, DateTimeOffset sentAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return WriteAsync(claim with { State = NoticeState.Sent, SentAt = sentAt }, cancellationToken);
    }

    public async Task ReleaseAsync(NoticeRecord claim, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        try
        {
            await WriteAsync(claim with { ClaimedUntil = now }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Taken over or gone: nothing of ours to release.
        }
    }

    public async Task UpsertDigestEntryAsync(DigestEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await storage.GetTableAsync(TableNames.NoticeDigests, cancellationToken).ConfigureAwait(false);
        // A digest line needs a few names and places; a certificate with hundreds would outgrow a table property (64 KiB).
        var n = entry.Notice with { DnsNames = [.. entry.Notice.DnsNames.Take(MaxListed)], Locations = [.. entry.Notice.Locations.Take(MaxListed)] };
        var rowKey = $"{OwnerKey(entry.Owner)}|{n.Fingerprint}|{RowKey(n.ThresholdDays, n.Level)}";
        await table.UpsertEntityAsync(
            new TableEntity(DigestPartition(DateOnly.FromDateTime(entry.SentAt.UtcDateTime)), rowKey)
            {
                ["Owner"] = entry.Owner,
                ["SentAt"] = entry.SentAt,
                ["Notice"] = JsonSerializer.Serialize(n, Json),
            },
            TableUpdateMode.Replace,
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DigestEntry>> ListDigestEntriesAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.NoticeDigests, cancellationToken).ConfigureAwait(false);
        var partition = DigestPartition(day);
        var entries = new List<DigestEntry>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new DigestEntry(e.GetString("Owner"), e.GetDateTimeOffset("SentAt")!.Value, JsonSerializer.Deserialize<Notice>(e.GetString("Notice"), Json)!));
        }

        return entries;
    }

    public async Task<bool> IsDigestSentAsync(DateOnly day, string owner, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.NoticeDigests, cancellationToken).ConfigureAwait(false);
        return (await table.GetEntityIfExistsAsync<TableEntity>(SentPartition(day), OwnerKey(owner), cancellationToken: cancellationToken).ConfigureAwait(false)).HasValue;
    }

    public async Task MarkDigestSentAsync(DateOnly day, string owner, DateTimeOffset sentAt, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.NoticeDigests, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(SentPartition(day), OwnerKey(owner)) { ["SentAt"] = sentAt }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    private async Task<NoticeRecord> WriteAsync(NoticeRecord record, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(TableNames.Notices, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(record.Fingerprint, RowKey(record.ThresholdDays, record.Level))
        {
            ["State"] = record.State.ToString(),
            ["Holder"] = record.Holder,
            ["ClaimedUntil"] = record.ClaimedUntil,
            ["Channels"] = string.Join(',', record.Channels),
            ["SentAt"] = record.SentAt,
        };
        var response = await table.UpdateEntityAsync(entity, new ETag(record.Version), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        return record with { Version = response.Headers.ETag.ToString()! };
    }

    private static NoticeRecord Read(TableEntity e, int thresholdDays, RecipientLevel level) => new(
        e.PartitionKey,
        thresholdDays,
        level,
        Enum.Parse<NoticeState>(e.GetString("State") ?? nameof(NoticeState.Claimed)),
        e.GetString("Holder") ?? string.Empty,
        e.GetDateTimeOffset("ClaimedUntil") ?? DateTimeOffset.MinValue,
        (e.GetString("Channels") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries),
        e.GetDateTimeOffset("SentAt"),
        e.ETag.ToString());

    private static string DigestPartition(DateOnly day) => "digest-" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string SentPartition(DateOnly day) => "sent-" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    // Mail addresses may hold characters table keys forbid ('/', '#', '?'); escaped, they hold none, nor '|'.
    private static string OwnerKey(string owner) => Uri.EscapeDataString(owner.Trim().ToLowerInvariant());
}
