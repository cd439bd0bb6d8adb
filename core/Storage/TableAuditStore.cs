using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Audit;

namespace Pki.Core.Storage;

/// <summary>
/// The chain in one partition of its own table: a head row, one row per record keyed "r{time ticks}-{sequence}"
/// (times never decrease along the chain, so key order is chain order and a time range is one key range), and
/// one row per once key. An append writes the record, the head and the once key in one entity group
/// transaction conditional on the head's ETag: of racing appends exactly one commits.
/// </summary>
public sealed class TableAuditStore(TableStorage storage) : IAuditStore
{
    public const string Partition = "chain";
    public const string HeadRow = "head";

    /// <summary>Records per transaction: each may bring a once key, and the head is one more of the 100 actions allowed.</summary>
    public const int MaxBatch = 49;
    public const string RecordPrefix = "r";
    private const string OncePrefix = "once-";
    private const string TokenMark = "aud1 ";
    private const int ReadPageSize = 1000;

    public async Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Audit, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, HeadRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!response.HasValue)
        {
            return null;
        }

        var e = response.Value!;
        var row = new StoredRow(e, null, "The head row");
        return new AuditHead(row.Int64("Sequence") ?? throw row.Missing("Sequence"), row.String("Hash") ?? throw row.Missing("Hash"),
            row.Time("Time") ?? throw row.Missing("Time"), e.ETag.ToString());
    }

    public async Task<AppendResult> TryAppendAsync(AuditHead? expected, IReadOnlyList<AuditAppend> appends, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(appends);
        if (appends.Count is 0 or > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(appends), $"A batch holds 1 to {MaxBatch} records.");
        }

        var table = await storage.GetTableAsync(TableNames.Audit, cancellationToken).ConfigureAwait(false);
        var last = appends[^1].Record;
        var head = new TableEntity(Partition, HeadRow)
        {
            ["Sequence"] = last.Sequence,
            ["Hash"] = last.Hash,
            ["Time"] = last.Time,
        };
        var actions = new List<TableTransactionAction>
        {
            expected is null
                ? new TableTransactionAction(TableTransactionActionType.Add, head)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, head, new ETag(expected.Version)),
        };
        foreach (var (record, onceKey) in appends)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, ToEntity(record)));
            if (onceKey is not null)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(Partition, OnceRow(onceKey)) { ["Sequence"] = record.Sequence }));
            }
        }

        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            return AppendResult.Appended;
        }
        catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
        {
            // Another append took the head, or a once key is taken: only a read tells which.
            var keys = appends.Select(a => a.OnceKey).OfType<string>().ToArray();
            return keys.Length > 0 && (await RecordedOnceKeysAsync(keys, cancellationToken).ConfigureAwait(false)).Count > 0
                ? AppendResult.AlreadyRecorded
                : AppendResult.HeadMoved;
        }
    }

    public async Task<IReadOnlySet<string>> RecordedOnceKeysAsync(IReadOnlyCollection<string> onceKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onceKeys);
        var table = await storage.GetTableAsync(TableNames.Audit, cancellationToken).ConfigureAwait(false);
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in onceKeys)
        {
            if ((await table.GetEntityIfExistsAsync<TableEntity>(Partition, OnceRow(key), ["Sequence"], cancellationToken).ConfigureAwait(false)).HasValue)
            {
                recorded.Add(key);
            }
        }

        return recorded;
    }

    public async Task<AuditPage> QueryAsync(DateTimeOffset from, DateTimeOffset to, int limit, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Audit, cancellationToken).ConfigureAwait(false);
        var lower = RecordPrefix + Ticks(from);
        var upper = RecordPrefix + Ticks(to);

        // A token only moves the start within the caller's range: whatever it says, the range bounds stay.
        var after = continuationToken is null ? null : Unwrap(continuationToken);
        var filter = after is not null && string.CompareOrdinal(after, lower) >= 0
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey gt {after} and RowKey lt {upper}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {lower} and RowKey lt {upper}");

        var records = new List<AuditRecord>(limit);
        List<UnreadableAuditRow>? unreadable = null;
        var rows = 0;
        string? lastKey = null;
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: limit, cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
        {
            foreach (var e in page.Values)
            {
                // A tampered row takes its place in the page; the others are still served (verification locates the break).
                try
                {
                    records.Add(FromEntity(e));
                }
                catch (UnreadableAuditRowException unread)
                {
                    (unreadable ??= []).Add(new UnreadableAuditRow(unread.Sequence, unread.Message));
                }

                lastKey = e.RowKey;
                if (++rows == limit)
                {
                    break;
                }
            }

            if (rows == limit || page.ContinuationToken is null)
            {
                // A full page may be the last; the next request then returns an empty page without a token.
                return new AuditPage(records, rows == limit ? Wrap(lastKey!) : null, unreadable);
            }
        }

        return new AuditPage(records, null, unreadable);
    }

    public async IAsyncEnumerable<AuditRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Audit, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {RecordPrefix} and RowKey lt {"s"}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: ReadPageSize, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return FromEntity(e);
        }
    }

    /// <summary>The row key of a record: its time then its sequence, both fixed-width so text order is numeric order.</summary>
    public static string RowKey(AuditRecord record) => RecordPrefix + Ticks(record.Time) + "-" + record.Sequence.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>Once keys are free text (serials, ids, colons); their hash is a valid, fixed-length row key.</summary>
    private static string OnceRow(string onceKey) => OncePrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(onceKey)));

    private static string Ticks(DateTimeOffset time) => time.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(AuditRecord r) => new(Partition, RowKey(r))
    {
        ["Sequence"] = r.Sequence,
        ["Time"] = r.Time,
        ["ActorId"] = r.Actor.Id,
        ["ActorTeam"] = r.Actor.Team,
        ["ActorAuthentication"] = r.Actor.AuthenticationMethod,
        ["Action"] = r.Action,
        ["Outcome"] = r.Outcome,
        ["ProblemType"] = r.ProblemType,
        ["RequestId"] = r.RequestId,
        ["SerialNumber"] = r.SerialNumber,
        ["Fingerprint"] = r.Fingerprint,
        ["TargetId"] = r.TargetId,
        ["Detail"] = r.Detail,
        ["PreviousHash"] = r.PreviousHash,
        ["Hash"] = r.Hash,
    };

    /// <summary>
    /// Reads what is stored as it is (a missing column stays missing), so verification sees any change; a column of
    /// another type than the one written is reported as unreadable rather than converted.
    /// </summary>
    private static AuditRecord FromEntity(TableEntity e)
    {
        var sequence = SequenceOf(e.RowKey);
        var row = new StoredRow(e, sequence, sequence is { } s ? $"Record {s}" : $"The row {e.RowKey}");
        return new AuditRecord(
            row.Int64("Sequence") ?? 0,
            row.Time("Time") ?? DateTimeOffset.MinValue,
            new AuditActor(row.String("ActorId") ?? string.Empty, row.String("ActorTeam"), row.String("ActorAuthentication") ?? string.Empty),
            row.String("Action") ?? string.Empty,
            row.String("Outcome") ?? string.Empty,
            row.String("ProblemType"),
            row.String("RequestId"),
            row.String("SerialNumber"),
            row.String("Fingerprint"),
            row.String("TargetId"),
            row.String("Detail"),
            row.String("PreviousHash") ?? string.Empty,
            row.String("Hash") ?? string.Empty);
    }

    /// <summary>The sequence a record key ends with ("r", ticks, "-", sequence), or null for a key of another shape.</summary>
    private static long? SequenceOf(string rowKey) =>
        rowKey.Length == 40 && rowKey[20] == '-' && long.TryParse(rowKey.AsSpan(21), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? sequence
            : null;

    /// <summary>The last row key of a page as a token; only a record key ("r", 19 digits, "-", 19 digits) is a position.</summary>
    private static string Wrap(string rowKey) => ContinuationTokens.Wrap(TokenMark, rowKey);

    private static string Unwrap(string token) => ContinuationTokens.Unwrap(
        TokenMark, token, key => key.Length == 40 && key[0] == 'r' && key[20] == '-' && key.Remove(20, 1)[1..].All(char.IsAsciiDigit));

    /// <summary>One stored row read property by property; the SDK refuses a value of another type, and that refusal names the row.</summary>
    private sealed class StoredRow(TableEntity entity, long? sequence, string name)
    {
        public string? String(string property) => Read(property, "String", () => entity.GetString(property));

        public long? Int64(string property) => Read(property, "Int64", () => entity.GetInt64(property));

        public DateTimeOffset? Time(string property) => Read(property, "DateTime", () => entity.GetDateTimeOffset(property));

        public UnreadableAuditRowException Missing(string property) => new($"{name} has no {property}.") { Sequence = sequence };

        private T Read<T>(string property, string expected, Func<T> read)
        {
            try
            {
                return read();
            }
            catch (InvalidOperationException e)
            {
                var stored = entity.TryGetValue(property, out var value) ? value?.GetType().Name : null;
                throw new UnreadableAuditRowException($"{name}'s {property} is stored as {stored ?? "an unknown type"}, not as the {expected} this service writes.", e) { Sequence = sequence };
            }
        }
    }
}
