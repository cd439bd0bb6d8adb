using Azure;
using Azure.Data.Tables;

namespace Pki.Core.Storage;

public static class TableClientExtensions
{
    /// <summary>Inserts the entity; false when one with the same keys exists (409), which callers resolve, not fail on.</summary>
    public static async Task<bool> TryAddEntityAsync(this TableClient table, ITableEntity entity, CancellationToken cancellationToken = default)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }
}
