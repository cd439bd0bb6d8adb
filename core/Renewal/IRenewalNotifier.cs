namespace Pki.Core.Renewal;

/// <summary>
/// Tells a certificate's owner that it is due and will not renew itself. The notifications capability
/// implements it (with its thresholds and deduplication); until then <see cref="LoggingRenewalNotifier"/> logs.
/// </summary>
public interface IRenewalNotifier
{
    Task NewKeyRequiredAsync(RenewalNotice notice, CancellationToken cancellationToken = default);
}
