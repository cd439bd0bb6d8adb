using System.Collections.Concurrent;
using Pki.Core.Authority.Approvals;

namespace Pki.Tests.Infrastructure;

/// <summary>An approval store in memory with the table store's conditional writes (a version per write).</summary>
public sealed class InMemoryApprovalStore : IApprovalStore
{
    private readonly object _gate = new();
    private readonly SortedDictionary<string, PendingEntry> _pending = new(StringComparer.Ordinal);
    private long _version;

    public ConcurrentDictionary<string, ApprovalRecord> Records { get; } = new();

    public Task<ApprovalRecord?> GetAsync(string requestId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Records.TryGetValue(requestId, out var r) ? r : null);

    public Task<ApprovalRecord?> TryAddAsync(ApprovalRecord record, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _pending[record.Team + "|" + record.RequestId] = new PendingEntry(record.RequestId, record.Team);
            if (Records.ContainsKey(record.RequestId))
            {
                return Task.FromResult<ApprovalRecord?>(null);
            }

            var stored = record with { Version = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            Records[record.RequestId] = stored;
            return Task.FromResult<ApprovalRecord?>(stored);
        }
    }

    public Task<ApprovalRecord?> TryUpdateAsync(ApprovalRecord record, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!Records.TryGetValue(record.RequestId, out var current) || current.Version != record.Version)
            {
                return Task.FromResult<ApprovalRecord?>(null);
            }

            var stored = record with { Version = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            Records[record.RequestId] = stored;
            return Task.FromResult<ApprovalRecord?>(stored);
        }
    }

    public Task UnlistAsync(ApprovalRecord record, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _pending.Remove(record.Team + "|" + record.RequestId);
        }

        return Task.CompletedTask;
    }

    public Task<PendingPage> ListPendingAsync(string? team, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        // The token is the last key listed, unwrapped: TableApprovalStore's own tokens are tested over HTTP.
        var after = continuationToken;
        lock (_gate)
        {
            var rows = _pending.Where(p => (team is null || p.Value.Team == team) && (after is null || string.CompareOrdinal(p.Key, after) > 0)).ToList();
            var page = rows.Take(pageSize).ToList();
            return Task.FromResult(new PendingPage([.. page.Select(p => p.Value)], rows.Count > pageSize ? page[^1].Key : null));
        }
    }
}
