namespace Pki.Core.Renewal;

/// <summary>The renewal index: due-day buckets (one partition each) and the planner's cursor.</summary>
public interface IRenewalIndex
{
    /// <summary>Writes (or rewrites, unplanned) the entry of one certificate.</summary>
    Task UpsertEntityAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default);

    /// <summary>The entries of one due day: one single-partition query.</summary>
    IAsyncEnumerable<RenewalIndexEntry> QueryDayAsync(string day, CancellationToken cancellationToken = default);

    /// <summary>Marks the entry planned if it did not change since it was read; false when it did.</summary>
    Task<bool> TryMarkPlannedAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks entries of one day planned, each conditional on its version, in as few storage transactions as the store
    /// allows; returns how many were marked (an entry that changed meanwhile is left as it is).
    /// </summary>
    Task<int> MarkPlannedAsync(IReadOnlyList<RenewalIndexEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>The first day not yet fully planned; null before the first pass.</summary>
    Task<string?> GetCursorAsync(CancellationToken cancellationToken = default);

    Task SetCursorAsync(string day, CancellationToken cancellationToken = default);
}
