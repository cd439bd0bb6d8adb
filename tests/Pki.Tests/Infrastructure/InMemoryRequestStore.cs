using System.Collections.Concurrent;
using Pki.Core.Authority;

namespace Pki.Tests.Infrastructure;

/// <summary>A fake request store whose version tags behave as Table Storage's ETags do.</summary>
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

    public Task<IssuanceRequestRecord?> TryStartAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var versioned = Versioned(record);
            return Task.FromResult(Keyed.TryAdd(record.IdempotencyKey!, versioned) ? versioned : null);
        }
    }

    public Task<IssuanceRequestRecord?> TryAttachSerialAsync(IssuanceRequestRecord claim, string serialNumber, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult(TryReplace(claim, claim with { SerialNumber = serialNumber, UpdatedAt = now }));

    public Task<bool> TryCompleteAsync(IssuanceRequestRecord claim, CancellationToken cancellationToken = default) =>
        Task.FromResult(TryReplace(claim, claim with { Status = RequestStatus.Issued }) is not null);

    public Task<bool> TryReleaseAsync(IssuanceRequestRecord claim, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(IsCurrent(claim) && Keyed.Remove(claim.IdempotencyKey!));
        }
    }

    public Task RecordAsync(IssuanceRequestRecord record, CancellationToken cancellationToken = default)
    {
        Unkeyed.Add(record);
        return Task.CompletedTask;
    }

    private IssuanceRequestRecord? TryReplace(IssuanceRequestRecord claim, IssuanceRequestRecord updated)
    {
        lock (_gate)
        {
            if (!IsCurrent(claim))
            {
                return null;
            }

            return Keyed[claim.IdempotencyKey!] = Versioned(updated);
        }
    }

    private bool IsCurrent(IssuanceRequestRecord claim) =>
        Keyed.TryGetValue(claim.IdempotencyKey!, out var current) && current.Version == claim.Version;

    private IssuanceRequestRecord Versioned(IssuanceRequestRecord record) => record with { Version = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture) };
}
