using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Notifications;

namespace Pki.Functions;

public sealed class SendDigests(DigestService digests, ILogger<SendDigests> logger)
{
    [Function(nameof(SendDigests))]
    public async Task Run([TimerTrigger(Schedules.NoticeDigest)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var sent = await digests.SendAsync(cancellationToken);
        logger.LogInformation("Daily digests sent: {Count}", sent);
    }
}
