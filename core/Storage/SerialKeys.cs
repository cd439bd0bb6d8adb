using Azure.Data.Tables;
using Pki.Core.Authority;

namespace Pki.Core.Storage;

/// <summary>
/// Where a row keyed by serial is kept (certificates, OCSP responses): PartitionKey the serial's partition
/// (<see cref="SerialNumbers.PartitionOf"/>), RowKey the serial, so concurrent issuances share a partition and one
/// transaction; releases before serial partitions kept a partition per serial with an empty RowKey, still read.
/// </summary>
internal static class SerialKeys
{
    public static (string PartitionKey, string RowKey) Of(string serialNumber) => (SerialNumbers.PartitionOf(serialNumber), serialNumber);

    /// <summary>A point read where rows are kept now, then (on a miss) where earlier releases kept them.</summary>
    public static async Task<TableEntity?> FindAsync(TableClient table, string serialNumber, CancellationToken cancellationToken)
    {
        // Any serial long enough to name a partition is written there, whatever its length, so it is read there first.
        if (serialNumber.Length >= SerialNumbers.PartitionBytes * 2)
        {
            var (partition, row) = Of(serialNumber);
            var current = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (current.HasValue)
            {
                return current.Value;
            }
        }

        var legacy = await table.GetEntityIfExistsAsync<TableEntity>(serialNumber, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        return legacy.HasValue ? legacy.Value : null;
    }
}
