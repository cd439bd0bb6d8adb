using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Revocation;

namespace Pki.Functions;

public sealed class RefreshCrls(CrlPublisher publisher, ILogger<RefreshCrls> logger)
{
    [Function(nameof(RefreshCrls))]
    public async Task Run([TimerTrigger(Schedules.CrlRefresh)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var published = await publisher.RefreshAsync(cancellationToken);
        logger.LogInformation("CRL refresh published {Count} CRLs", published);
    }
}
