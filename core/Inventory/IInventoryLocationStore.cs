namespace Pki.Core.Inventory;

/// <summary>Where each certificate was seen (by fingerprint), and which certificates were seen at a location.</summary>
public interface IInventoryLocationStore
{
    /// <summary>
    /// Adds the location, or when it exists updates everything but when it was first seen; returns the
    /// location as it was before (null when new), so the caller knows whether its findings changed.
    /// </summary>
    Task<InventoryLocation?> UpsertLocationAsync(InventoryLocation location, CancellationToken cancellationToken = default);

    /// <summary>Replaces the findings of a certificate's location (a revocation after it was seen there), keeping everything else.</summary>
    Task UpdateLocationFindingsAsync(string fingerprint, string location, IReadOnlyList<Finding> findings, CancellationToken cancellationToken = default);

    /// <summary>Marks a certificate's location as no longer presenting it: not current, no findings.</summary>
    Task SupersedeLocationAsync(string fingerprint, string location, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<InventoryLocation>> ListLocationsAsync(string fingerprint, CancellationToken cancellationToken = default);

    /// <summary>The certificates ever seen at a location, and whether each is what it presented last.</summary>
    Task<IReadOnlyList<(string Fingerprint, bool Current)>> ListAtLocationAsync(string location, CancellationToken cancellationToken = default);
}
