using Azure;
using Azure.Data.Tables;
using Pki.Core.Authority;

namespace Pki.Core.Storage;

/// <summary>Open issuances (opened and closed group-committed with concurrent issuances) by the hour they were reserved (one partition per hour, a row per serial) and the repair pass's cursor.</summary>
public sealed class TableIssuanceJournal(TableStorage storage) : IIssuanceJournal
{
    private const string CursorPartition = "cursor";

    public async Task OpenAsync(IssuanceJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var row = new TableEntity(entry.Hour, entry.SerialNumber) { ["OpenedAt"] = entry.OpenedAt };
        await storage.UpsertAsync(TableNames.IssuanceJournal, row, cancellationToken).ConfigureAwait(false);
    }

    public async Task CloseAsync(IssuanceJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // An entry that is gone already (closed by the repair pass) is not an error.
        await storage.DeleteAsync(TableNames.IssuanceJournal, entry.Hour, entry.SerialNumber, cancellationToken).ConfigureAwait(false);
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
