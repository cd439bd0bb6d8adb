using Azure.Data.Tables;
using Pki.Core.Audit;

namespace Pki.Core.Storage;

/// <summary>
/// The last verification in the audit table, in a partition of its own (the chain's reads take partition
/// <see cref="TableAuditStore.Partition"/> only): one row, replaced by each verification.
/// </summary>
public sealed class TableAuditCheckStore(TableStorage storage) : IAuditCheckStore
{
    public const string Partition = "checks";
    public const string LastRow = "last";

    public Task SaveAsync(AuditCheck check, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(check);
        return storage.UpsertAsync(TableNames.Audit, new TableEntity(Partition, LastRow)
        {
            ["VerifiedAt"] = check.VerifiedAt,
            ["Ok"] = check.Ok,
            ["Count"] = check.Count,
            ["HeadSequence"] = check.HeadSequence,
            ["BrokenAt"] = check.BrokenAt,
        }, cancellationToken);
    }

    public async Task<AuditCheck?> GetLastAsync(CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Audit, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, LastRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!row.HasValue)
        {
            return null;
        }

        var e = row.Value!;
        return new AuditCheck(e.GetDateTimeOffset("VerifiedAt") ?? DateTimeOffset.MinValue, e.GetBoolean("Ok") ?? false, e.GetInt64("Count") ?? 0,
            e.GetInt64("HeadSequence") ?? 0, e.GetInt64("BrokenAt"));
    }
}
