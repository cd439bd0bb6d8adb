using System.Collections.Concurrent;
using Pki.Core.Authority;

namespace Pki.Tests.Infrastructure;

/// <summary>A per-test fake of the issuance journal: the open entries and the cursor.</summary>
public sealed class InMemoryIssuanceJournal : IIssuanceJournal
{
    private string? _cursor;

    public ConcurrentDictionary<string, IssuanceJournalEntry> Open { get; } = new(StringComparer.Ordinal);

    public Task OpenAsync(IssuanceJournalEntry entry, CancellationToken cancellationToken = default)
    {
        Open[entry.SerialNumber] = entry;
        return Task.CompletedTask;
    }

    public Task CloseAsync(IssuanceJournalEntry entry, CancellationToken cancellationToken = default)
    {
        Open.TryRemove(entry.SerialNumber, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<IssuanceJournalEntry>> ListOpenAsync(string hour, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<IssuanceJournalEntry>>([.. Open.Values.Where(e => e.Hour == hour)]);

    public Task<string?> GetCursorAsync(CancellationToken cancellationToken = default) => Task.FromResult(_cursor);

    public Task SetCursorAsync(string hour, CancellationToken cancellationToken = default)
    {
        _cursor = hour;
        return Task.CompletedTask;
    }
}
