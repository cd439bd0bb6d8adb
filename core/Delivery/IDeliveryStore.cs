namespace Pki.Core.Delivery;

/// <summary>Delivery targets by certificate serial, and the Key Vault operations in flight.</summary>
public interface IDeliveryStore
{
    /// <summary>The target of a certificate, or null when it has none.</summary>
    Task<KeyVaultTarget?> GetTargetAsync(string serialNumber, CancellationToken cancellationToken = default);

    /// <summary>Sets a certificate's target; its key settings when given, else those it had stay.</summary>
    Task SetTargetAsync(string serialNumber, KeyVaultTarget target, DeliveryKeySettings? key = null, CancellationToken cancellationToken = default);

    /// <summary>The key settings the certificate's vault certificate was made with, or null when not known.</summary>
    Task<DeliveryKeySettings?> GetKeySettingsAsync(string serialNumber, CancellationToken cancellationToken = default);

    /// <summary>Adds the operation (returned with its version); null when the vault certificate has one in flight already.</summary>
    Task<DeliveryOperation?> TryAddAsync(DeliveryOperation operation, CancellationToken cancellationToken = default);

    /// <summary>The operation in flight for a vault certificate, with its version for a conditional update.</summary>
    Task<DeliveryOperation?> GetAsync(KeyVaultTarget target, CancellationToken cancellationToken = default);

    /// <summary>Replaces the operation if it did not change since it was read (its <see cref="DeliveryOperation.Version"/>); null when it did.</summary>
    Task<DeliveryOperation?> TryUpdateAsync(DeliveryOperation operation, CancellationToken cancellationToken = default);

    /// <summary>Deletes the operation if it did not change since it was read; false when it did.</summary>
    Task<bool> TryDeleteAsync(DeliveryOperation operation, CancellationToken cancellationToken = default);

    /// <summary>Every operation in flight (one partition; the rows are deleted when done, so it holds only what is open).</summary>
    IAsyncEnumerable<DeliveryOperation> ListOpenAsync(CancellationToken cancellationToken = default);
}
