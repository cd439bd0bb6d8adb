using Azure;
using Azure.Data.Tables;
using Pki.Core.Authority;

namespace Pki.Core.Storage;

/// <summary>Open issuances by the hour they were reserved (one partition per hour, a row per serial) and the repair pass's cursor.</summary>
public sealed class TableIssuanceJournal(TableStorage storage) : IIssuanceJournal
{
    private const string CursorPartition = "cursor";

    public async Task OpenAsync(IssuanceJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await storage.GetTableAsync(TableNames.IssuanceJournal, cancellationToken).ConfigureAwait(false);
        var row = new TableEntity(entry.Hour, entry.SerialNumber) { ["OpenedAt"] = entry.OpenedAt };
        await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task CloseAsync(IssuanceJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await storage.GetTableAsync(TableNames.IssuanceJournal, cancellationToken).ConfigureAwait(false);

        // The client reports an entry that is gone already (closed by the repair pass) as a 404 response, not an exception.
        await table.DeleteEntityAsync(entry.Hour, entry.SerialNumber, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<IssuanceJournalEntry>> ListOpenAsync(string hour, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.IssuanceJournal, cancellationToken).ConfigureAwait(false);
        var entries = new List<IssuanceJournalEntry>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == hour, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new IssuanceJournalEntry(row.RowKey, row.GetDateTimeOffset("OpenedAt")!.Value));
        }

        return entries;
    }

    public async Task<string?> GetCursorAsync(CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.IssuanceJournal, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(CursorPartition, string.Empty, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value!.GetString("Hour") : null;
    }

    public async Task SetCursorAsync(string hour, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.IssuanceJournal, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(CursorPartition, string.Empty) { ["Hour"] = hour }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }
}
