using System.Text.Json;
using Azure.Data.Tables;
using Pki.Core.Discovery.Targets;

namespace Pki.Core.Storage;

/// <summary>Targets in one partition of their own table: a sweep reads them all in one range query.</summary>
public sealed class TableTargetStore(TableStorage storage) : ITargetStore
{
    private const string Partition = "target";

    public async Task AddAsync(DiscoveryTarget target, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.DiscoveryTargets, cancellationToken).ConfigureAwait(false);
        await table.AddEntityAsync(
            new TableEntity(Partition, target.Id)
            {
                ["Kind"] = target.Kind.ToString(),
                ["Hosts"] = JsonSerializer.Serialize(target.Hosts),
                ["Cidr"] = target.Cidr,
                ["Ports"] = JsonSerializer.Serialize(target.Ports),
                ["ServerName"] = target.ServerName,
                ["VaultUri"] = target.VaultUri,
                ["Description"] = target.Description,
                ["CreatedAt"] = target.CreatedAt,
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DiscoveryTarget>> ListAsync(CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.DiscoveryTargets, cancellationToken).ConfigureAwait(false);
        var list = new List<DiscoveryTarget>();
        await foreach (var e in table.QueryAsync<TableEntity>(x => x.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(new DiscoveryTarget(
                e.RowKey,
                Enum.Parse<TargetKind>(e.GetString("Kind")),
                JsonSerializer.Deserialize<string[]>(e.GetString("Hosts") ?? "[]") ?? [],
                e.GetString("Cidr"),
                JsonSerializer.Deserialize<int[]>(e.GetString("Ports") ?? "[]") ?? [],
                e.GetString("ServerName"),
                e.GetString("VaultUri"),
                e.GetString("Description"),
                e.GetDateTimeOffset("CreatedAt")!.Value));
        }

        return list;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.DiscoveryTargets, cancellationToken).ConfigureAwait(false);
        var response = await table.DeleteEntityAsync(Partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Status != 404;
    }
}
