using Azure;
using Azure.Data.Tables;
using Pki.Core.Revocation;

namespace Pki.Core.Storage;

/// <summary>One counter row per CA in the authorities table, advanced with optimistic concurrency.</summary>
public sealed class TableCrlNumberStore(TableStorage storage) : ICrlNumberStore
{
    private const string Partition = "crl-number";

    public async Task<long> NextAsync(string issuerId, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Authorities, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(Partition, issuerId, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!current.HasValue)
            {
                if (await table.TryAddEntityAsync(new TableEntity(Partition, issuerId) { ["Last"] = 1L }, cancellationToken).ConfigureAwait(false) is not null)
                {
                    return 1;
                }

                continue;
            }

            var next = current.Value!.GetInt64("Last")!.Value + 1;
            try
            {
                await table.UpdateEntityAsync(new TableEntity(Partition, issuerId) { ["Last"] = next }, current.Value.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return next;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Another publisher took this number; try the next.
            }
        }
    }
}
