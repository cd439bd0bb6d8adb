namespace Pki.Core.Delivery;

/// <summary>Tells a certificate's owner that its delivery to Key Vault failed, what failed and what to do.</summary>
public interface IDeliveryNotifier
{
    /// <summary>Best effort: a notifier that cannot reach anyone logs why and returns; the finding on the certificate stays.</summary>
    Task FailedAsync(DeliveryFailureNotice notice, CancellationToken cancellationToken = default);
}
