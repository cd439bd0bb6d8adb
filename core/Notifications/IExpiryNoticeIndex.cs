namespace Pki.Core.Notifications;

/// <summary>The expiry-notice index: threshold crossings in day buckets (one partition each) and the notice pass's cursor.</summary>
public interface IExpiryNoticeIndex
{
    /// <summary>Adds the entries that do not exist yet; an existing entry (perhaps planned already) is left as it is.</summary>
    Task AddAsync(IReadOnlyList<ExpiryNoticeEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>The entries of one day: one single-partition query.</summary>
    IAsyncEnumerable<ExpiryNoticeEntry> QueryDayAsync(string day, CancellationToken cancellationToken = default);

    /// <summary>Marks entries planned, each conditional on its version; returns how many were marked.</summary>
    Task<int> MarkPlannedAsync(IReadOnlyList<ExpiryNoticeEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>The first day not yet fully handled; null before the first pass.</summary>
    Task<string?> GetCursorAsync(CancellationToken cancellationToken = default);

    Task SetCursorAsync(string day, CancellationToken cancellationToken = default);
}
