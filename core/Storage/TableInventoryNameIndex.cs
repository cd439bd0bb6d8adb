using Azure.Data.Tables;
using Pki.Core.Inventory;

namespace Pki.Core.Storage;

/// <summary>The inventory's DNS-name index of our own certificates: partition = DNS name, row = fingerprint.</summary>
public sealed class TableInventoryNameIndex(TableStorage storage) : IInventoryNameIndex
{
    public async Task UpsertNameAsync(NamedCertificate entry, CancellationToken cancellationToken = default)
    {
        // Group-committed with concurrent entries of the same name (renewals and reissues of one host name).
        await storage.UpsertAsync(
            TableNames.InventoryNames,
            new TableEntity(entry.DnsName, entry.Fingerprint)
            {
                ["Names"] = InventoryTableFormat.Serialize(entry.DnsNames),
                ["NotBefore"] = entry.NotBefore,
                ["NotAfter"] = entry.NotAfter,
                ["IssuerCaId"] = entry.IssuerCaId,
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<NamedCertificate>> ListByNameAsync(string dnsName, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.InventoryNames, cancellationToken).ConfigureAwait(false);
        var found = new List<NamedCertificate>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == dnsName, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(new NamedCertificate(
                e.PartitionKey, e.RowKey, InventoryTableFormat.Deserialize<string[]>(e.GetString("Names")) ?? [],
                e.GetDateTimeOffset("NotBefore")!.Value, e.GetDateTimeOffset("NotAfter")!.Value, e.GetString("IssuerCaId")));
        }

        return found;
    }
}
