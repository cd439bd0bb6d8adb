using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Pki.Core.Access;
using Pki.Core.Errors;

namespace Pki.Core.Audit;

/// <summary>
/// Appends records to the hash chain and reads them by time. An append reads the head, links the new record
/// to it and writes both in one transaction conditional on the head's version; of racing appends one wins and
/// the others read the new head and try again, so the chain never forks.
/// </summary>
public sealed class AuditTrail(IAuditStore store, CallerContext callers, TimeProvider time, ILogger<AuditTrail> logger) : IAuditTrail
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Lost races per append before giving up; each loss means another append succeeded.</summary>
    public const int MaxAttempts = 100;

    /// <summary>Records linked and written in one transaction at most (the table store's limit).</summary>
    public const int MaxBatch = 32;

    private readonly ConcurrentQueue<PendingAppend> _pending = new();
    private readonly SemaphoreSlim _writer = new(1, 1);

    /// <summary>
    /// Group commit: the entry joins a queue, and whichever append holds the writer links everything queued (up to
    /// <see cref="MaxBatch"/>) onto the head and writes it in one transaction. Concurrent appends of this instance
    /// thus share one head update instead of racing for it; other instances still race, on the head's ETag.
    /// </summary>
    public async Task<AuditRecord?> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Action);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Outcome);
        var caller = callers.Current;
        var pending = new PendingAppend(entry, new AuditActor(Bound(caller.Id)!, Bound(caller.Team), Bound(caller.AuthenticationMethod)!));
        _pending.Enqueue(pending);

        // Once queued, the entry is written whatever happens to this caller: a change that happened is recorded.
        await _writer.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            while (!pending.Completion.Task.IsCompleted && !_pending.IsEmpty)
            {
                await WriteBatchAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _writer.Release();
        }

        return await pending.Completion.Task.ConfigureAwait(false);
    }

    private async Task WriteBatchAsync()
    {
        var batch = new List<PendingAppend>(MaxBatch);
        var onceKeys = new HashSet<string>(StringComparer.Ordinal);
        while (batch.Count < MaxBatch && _pending.TryDequeue(out var next))
        {
            // The same change twice in one batch: the first is recorded, the repeat is the "already recorded" case.
            if (next.Entry.OnceKey is { } key && !onceKeys.Add(key))
            {
                next.Completion.TrySetResult(null);
                continue;
            }

            batch.Add(next);
        }

        try
        {
            for (var attempt = 1; attempt <= MaxAttempts && batch.Count > 0; attempt++)
            {
                var head = await store.GetHeadAsync(CancellationToken.None).ConfigureAwait(false);

                // Times never decrease along the chain, so time order is chain order and a time range is one key range.
                var now = AuditHash.Truncate(time.GetUtcNow());
                var at = head is not null && head.Time > now ? head.Time : now;
                var sequence = head?.Sequence ?? 0;
                var previous = head?.Hash ?? AuditRecord.GenesisHash;
                var appends = new List<AuditAppend>(batch.Count);
                foreach (var (entry, actor, _) in batch)
                {
                    var record = Link(new AuditRecord(
                        ++sequence, at, actor, entry.Action, entry.Outcome, Bound(entry.ProblemType), Bound(entry.RequestId),
                        Bound(entry.SerialNumber), Bound(entry.Fingerprint), Bound(entry.TargetId), Cut(entry.Detail),
                        previous, string.Empty));
                    previous = record.Hash;
                    appends.Add(new AuditAppend(record, entry.OnceKey));
                }

                switch (await store.TryAppendAsync(head, appends, CancellationToken.None).ConfigureAwait(false))
                {
                    case AppendResult.Appended:
                        for (var i = 0; i < batch.Count; i++)
                        {
                            var record = appends[i].Record;
                            logger.LogInformation("Audit {Sequence}: {Action} {Outcome} by {Actor} (request {RequestId}, serial {SerialNumber})",
                                record.Sequence, record.Action, record.Outcome, record.Actor.Id, record.RequestId, record.SerialNumber);
                            batch[i].Completion.TrySetResult(record);
                        }

                        return;
                    case AppendResult.AlreadyRecorded:
                        // Drop what is recorded already (a retry or redelivery of its change) and link the rest again.
                        var recorded = await store.RecordedOnceKeysAsync([.. batch.Select(p => p.Entry.OnceKey).OfType<string>()], CancellationToken.None).ConfigureAwait(false);
                        foreach (var done in batch.Where(p => p.Entry.OnceKey is { } k && recorded.Contains(k)))
                        {
                            done.Completion.TrySetResult(null);
                        }

                        batch.RemoveAll(p => p.Completion.Task.IsCompleted);
                        continue;
                }

                // Lost the head to another instance: back off a little (jittered, growing) so racing writers spread out.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + (Math.Min(attempt, 20) * 2)))).ConfigureAwait(false);
            }

            if (batch.Count > 0)
            {
                throw new InvalidOperationException($"The audit trail's head kept moving; {batch.Count} records were not appended after {MaxAttempts} attempts.");
            }
        }
        catch (Exception e)
        {
            foreach (var failed in batch)
            {
                failed.Completion.TrySetException(e);
            }
        }
    }

    private sealed record PendingAppend(AuditEntry Entry, AuditActor Actor)
    {
        public TaskCompletionSource<AuditRecord?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Deconstruct(out AuditEntry entry, out AuditActor actor, out TaskCompletionSource<AuditRecord?> completion)
        {
            entry = Entry;
            actor = Actor;
            completion = Completion;
        }
    }

    /// <summary>Records with from &lt;= time &lt; to, in chain order, a page at a time.</summary>
    public async Task<AuditPage> ListAsync(string? from, string? to, string? limit, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var start = Time(from, "from") ?? DateTimeOffset.MinValue;
        var end = Time(to, "to") ?? DateTimeOffset.MaxValue;
        if (start > end)
        {
            throw ProblemException.BadRequest("invalid-range", "from must not be after to.");
        }

        var size = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            throw ProblemException.BadRequest("invalid-limit", $"limit must be a whole number from 1 to {MaxLimit}.");
        }

        if (continuationToken is { Length: > 1024 })
        {
            throw ProblemException.BadRequest("invalid-continuation-token", "The continuation token is not one this service returned; start again without it.");
        }

        var page = await store.QueryAsync(start, end, size, continuationToken, cancellationToken).ConfigureAwait(false);
        foreach (var row in page.Unreadable ?? [])
        {
            logger.LogWarning("Audit record {Sequence} cannot be read as written and is listed as unreadable: {Detail}", row.Sequence, row.Detail);
        }

        return page;
    }

    /// <summary>The record with its hash filled in.</summary>
    public static AuditRecord Link(AuditRecord record) => record with { Hash = AuditHash.Compute(record) };

    private static DateTimeOffset? Time(string? text, string name)
    {
        if (text is null)
        {
            return null;
        }

        return text.Length <= 64 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : throw ProblemException.BadRequest("invalid-time", $"{name} must be an ISO 8601 time, e.g. 2026-11-27T13:00:00Z; got '{(text.Length > 64 ? text[..64] + "…" : text)}'.");
    }

    private static string? Bound(string? value) =>
        value is { Length: > AuditRecord.MaxFieldLength } ? value[..AuditRecord.MaxFieldLength] : value;

    private static string? Cut(string? detail) =>
        detail is { Length: > AuditRecord.MaxDetailLength } ? detail[..AuditRecord.MaxDetailLength] : detail;
}
