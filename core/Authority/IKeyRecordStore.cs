namespace Pki.Core.Authority;

/// <summary>
/// Which key of the key store serves each CA and responder label, decided once for every host that shares the
/// storage account. A label's record is first a claim (one host may create the key until the lease ends), then
/// the key itself. Every write is conditional on the version its writer read, so only one key is ever recorded.
/// </summary>
public interface IKeyRecordStore
{
    Task<KeyRecord?> GetAsync(string label, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the label for <paramref name="holder"/> until <paramref name="leaseUntil"/>: inserted when
    /// <paramref name="current"/> is null, else replaced if it is still at that version. Null when another won.
    /// </summary>
    Task<KeyRecord?> TryClaimAsync(string label, string holder, DateTimeOffset leaseUntil, KeyRecord? current, CancellationToken cancellationToken = default);

    /// <summary>Records the key of a claim still held at its version; false when the claim was taken over.</summary>
    Task<bool> TryRecordKeyAsync(KeyRecord claim, string keyUri, CancellationToken cancellationToken = default);
}

/// <summary>A label's record: a claim (<see cref="KeyUri"/> null) or the key every host uses.</summary>
public sealed record KeyRecord(string Label, string? KeyUri, string? Holder, DateTimeOffset? LeaseUntil, string Version);
