using Azure;
using Azure.Data.Tables;
using Pki.Core.Access;

namespace Pki.Core.Storage;

/// <summary>
/// One row per counter (partition = the counter's key, so callers never share a hot partition), holding the current
/// window and its count; a new window replaces the old, so rows do not pile up. Increments are ETag-conditional.
/// </summary>
public sealed class TableRateLimitStore(TableStorage storage) : IRateLimitStore
{
    private const string Row = "window";
    private const int MaxAttempts = 10;

    public async Task<bool> TryTakeAsync(string key, DateTimeOffset windowStart, int limit, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.RateLimits, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(key, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!found.HasValue)
            {
                if (await table.TryAddEntityAsync(Entity(key, windowStart, 1), cancellationToken).ConfigureAwait(false) is not null)
                {
                    return true;
                }

                continue;
            }

            var entity = found.Value!;
            var sameWindow = entity.GetDateTimeOffset("WindowStart") == windowStart;
            var count = sameWindow ? entity.GetInt32("Count") ?? 0 : 0;
            if (count >= limit)
            {
                return false;
            }

            try
            {
                await table.UpdateEntityAsync(Entity(key, windowStart, count + 1), entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Another request of the same caller counted first: read again.
            }
        }

        // Contention this heavy on one caller's counter is itself a flood.
        return false;
    }

    private static TableEntity Entity(string key, DateTimeOffset windowStart, int count) => new(key, Row)
    {
        ["WindowStart"] = windowStart,
        ["Count"] = count,
    };
}
