using Azure;
using Azure.Data.Tables;

namespace Pki.Core.Storage;

public static class TableClientExtensions
{
    /// <summary>
    /// Inserts the entity and returns its ETag; null when one with the same keys exists (409), which
    /// callers resolve, not fail on.
    /// </summary>
    public static async Task<ETag?> TryAddEntityAsync(this TableClient table, ITableEntity entity, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return response.Headers.ETag ?? default(ETag);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }
    }

    /// <summary>
    /// Replaces the entity if it is still at <paramref name="ifMatch"/> and returns its new ETag; null when it changed
    /// or is gone (412, 404), which callers resolve (read again, or give up the claim), not fail on.
    /// </summary>
    public static async Task<ETag?> TryUpdateEntityAsync(this TableClient table, ITableEntity entity, ETag ifMatch, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await table.UpdateEntityAsync(entity, ifMatch, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return response.Headers.ETag ?? default(ETag);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return null;
        }
    }
}
