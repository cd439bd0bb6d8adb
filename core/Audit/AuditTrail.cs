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

    public async Task<AuditRecord?> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Action);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Outcome);
        var caller = callers.Current;
        var actor = new AuditActor(Bound(caller.Id)!, Bound(caller.Team), Bound(caller.AuthenticationMethod)!);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var head = await store.GetHeadAsync(cancellationToken).ConfigureAwait(false);

            // Times never decrease along the chain, so time order is chain order and a time range is one key range.
            var now = AuditHash.Truncate(time.GetUtcNow());
            var at = head is not null && head.Time > now ? head.Time : now;
            var record = Link(new AuditRecord(
                (head?.Sequence ?? 0) + 1, at, actor, entry.Action, entry.Outcome, Bound(entry.ProblemType), Bound(entry.RequestId),
                Bound(entry.SerialNumber), Bound(entry.Fingerprint), Bound(entry.TargetId), Cut(entry.Detail),
                head?.Hash ?? AuditRecord.GenesisHash, string.Empty));

            switch (await store.TryAppendAsync(head, record, entry.OnceKey, cancellationToken).ConfigureAwait(false))
            {
                case AppendResult.Appended:
                    logger.LogInformation("Audit {Sequence}: {Action} {Outcome} by {Actor} (request {RequestId}, serial {SerialNumber})",
                        record.Sequence, record.Action, record.Outcome, actor.Id, record.RequestId, record.SerialNumber);
                    return record;
                case AppendResult.AlreadyRecorded:
                    return null;
            }

            // Lost the head to another append: back off a little (jittered, growing) so racing writers spread out.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + (Math.Min(attempt, 20) * 2))), cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"The audit trail's head kept moving; {entry.Action} was not recorded after {MaxAttempts} attempts.");
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

        return await store.QueryAsync(start, end, size, continuationToken, cancellationToken).ConfigureAwait(false);
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
