using Azure;
using Azure.Data.Tables;
using Pki.Core.Access.Sessions;

namespace Pki.Core.Storage;

/// <summary>
/// Failed sign-ins in the rate-limits table (partition = the counter's key; its "signin-" prefix keeps it apart from the
/// issuance counters): one row per counter holding its window and count, a new window replacing the old, increments
/// ETag-conditional.
/// </summary>
public sealed class TableSignInAttemptStore(TableStorage storage) : ISignInAttemptStore
{
    private const string Row = "signin";
    private const int MaxAttempts = 10;

    public async Task<int> CountAsync(string key, DateTimeOffset windowStart, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.RateLimits, cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(key, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue && found.Value!.GetDateTimeOffset("WindowStart") == windowStart ? found.Value.GetInt32("Count") ?? 0 : 0;
    }

    public async Task<int> AddFailureAsync(string key, DateTimeOffset windowStart, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.RateLimits, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(key, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!found.HasValue)
            {
                if (await table.TryAddEntityAsync(Entity(key, windowStart, 1), cancellationToken).ConfigureAwait(false) is not null)
                {
                    return 1;
                }

                continue;
            }

            var entity = found.Value!;
            var count = (entity.GetDateTimeOffset("WindowStart") == windowStart ? entity.GetInt32("Count") ?? 0 : 0) + 1;
            try
            {
                await table.UpdateEntityAsync(Entity(key, windowStart, count), entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return count;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Another instance counted one meanwhile: read again.
            }
        }

        throw new InvalidOperationException($"The sign-in counter {key} kept changing under {MaxAttempts} attempts to count a failure.");
    }

    private static TableEntity Entity(string key, DateTimeOffset windowStart, int count) => new(key, Row)
    {
        ["WindowStart"] = windowStart,
        ["Count"] = count,
    };
}
