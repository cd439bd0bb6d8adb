using Microsoft.Extensions.Logging;

namespace Pki.Core.Renewal;

/// <summary>The stand-in notifier until notifications are wired: one warning per notice.</summary>
public sealed class LoggingRenewalNotifier(ILogger<LoggingRenewalNotifier> logger) : IRenewalNotifier
{
    public Task NewKeyRequiredAsync(RenewalNotice notice, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notice);
        logger.LogWarning(
            "Certificate {SerialNumber} of owner {Owner} is due for renewal and was not renewed ({Reason}): {Detail}",
            notice.Certificate.SerialNumber, notice.Certificate.Owner, notice.Reason, notice.Detail);
        return Task.CompletedTask;
    }
}
