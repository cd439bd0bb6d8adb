using System.Collections.Concurrent;
using Pki.Core.Authority;

namespace Pki.Tests.Infrastructure;

/// <summary>A fake request store with version tags, as Table Storage's ETags behave.</summary>
public sealed class InMemoryRequestStore : IRequestStore
{
    private readonly object _gate = new();
    private int _version;

    public Dictionary<string, IssuanceRequestRecord> Keyed { get; } = [];

    public ConcurrentBag<IssuanceRequestRecord> Unkeyed { get; } = [];

    public Task<IssuanceRequestRecord?> GetByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Keyed.GetValueOrDefault(idempotencyKey));
        }
    }

    public Task<bool> TryStartAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Keyed.TryAdd(record.IdempotencyKey!, Versioned(record)));
        }
    }

    public Task AttachSerialAsync(string idempotencyKey, string serialNumber, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Keyed[idempotencyKey] = Versioned(Keyed[idempotencyKey] with { SerialNumber = serialNumber });
        }

        return Task.CompletedTask;
    }

    public Task RecordAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (record.IdempotencyKey is null)
            {
                Unkeyed.Add(record);
            }
            else
            {
                Keyed[record.IdempotencyKey] = Versioned(record);
            }
        }

        return Task.CompletedTask;
    }

    public Task AbandonAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Keyed.Remove(idempotencyKey);
        }

        return Task.CompletedTask;
    }

    public Task<bool> TryReleaseStaleAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (Keyed.TryGetValue(record.IdempotencyKey!, out var current) && current.Version == record.Version)
            {
                Keyed.Remove(record.IdempotencyKey!);
                return Task.FromResult(true);
            }

            return Task.FromResult(false);
        }
    }

    private IssuanceRequestRecord Versioned(IssuanceRequestRecord record) => record with { Version = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture) };
}
