using Azure;
using Azure.Data.Tables;
using Pki.Core.Access;

namespace Pki.Core.Storage;

/// <summary>
/// One row per counter (partition = the counter's key, so callers never share a hot partition), holding the current
/// window and its count; a new window replaces the old, so rows do not pile up. Increments (a chunk of allowance at a
/// time) are ETag-conditional.
/// </summary>
public sealed class TableRateLimitStore(TableStorage storage) : IRateLimitStore
{
    private const string Row = "window";
    private const int MaxAttempts = 10;

    public async Task<int> TakeAsync(string key, DateTimeOffset windowStart, int limit, int wanted, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1);
        var table = await storage.GetTableAsync(TableNames.RateLimits, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(key, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!found.HasValue)
            {
                var first = Math.Min(wanted, limit);
                if (await table.TryAddEntityAsync(Entity(key, windowStart, first), cancellationToken).ConfigureAwait(false) is not null)
                {
                    return first;
                }

                continue;
            }

            var entity = found.Value!;
            var sameWindow = entity.GetDateTimeOffset("WindowStart") == windowStart;
            var count = sameWindow ? entity.GetInt32("Count") ?? 0 : 0;
            var taken = Math.Min(wanted, limit - count);
            if (taken <= 0)
            {
                return 0;
            }

            try
            {
                await table.UpdateEntityAsync(Entity(key, windowStart, count + taken), entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return taken;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Another instance counted for the same caller first: read again, after a moment.
                await Task.Delay(Random.Shared.Next(5, 20 * (attempt + 1)), cancellationToken).ConfigureAwait(false);
            }
        }

        // Each instance takes allowance a chunk at a time, one request at a time: this many lost races is a flood of instances.
        return 0;
    }

    private static TableEntity Entity(string key, DateTimeOffset windowStart, int count) => new(key, Row)
    {
        ["WindowStart"] = windowStart,
        ["Count"] = count,
    };
}
