using System.Collections.Concurrent;
using Pki.Core.Authority;

namespace Pki.Tests.Infrastructure;

/// <summary>A per-test fake of the key record store: versions are counters, writes conditional on them as in tables.</summary>
public sealed class InMemoryKeyRecordStore : IKeyRecordStore
{
    private readonly ConcurrentDictionary<string, KeyRecord> _items = new(StringComparer.Ordinal);
    private long _version;

    public Task<KeyRecord?> GetAsync(string label, CancellationToken cancellationToken = default) =>
        Task.FromResult(_items.GetValueOrDefault(label));

    public Task<KeyRecord?> TryClaimAsync(string label, string holder, DateTimeOffset leaseUntil, KeyRecord? current, CancellationToken cancellationToken = default)
    {
        var claim = new KeyRecord(label, null, holder, leaseUntil, NextVersion());
        var won = current is null ? _items.TryAdd(label, claim) : _items.TryUpdate(label, claim, current);
        return Task.FromResult(won ? claim : null);
    }

    public Task<bool> TryRecordKeyAsync(KeyRecord claim, string keyUri, CancellationToken cancellationToken = default) =>
        Task.FromResult(_items.TryUpdate(claim.Label, claim with { KeyUri = keyUri, LeaseUntil = null, Version = NextVersion() }, claim));

    private string NextVersion() => Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
