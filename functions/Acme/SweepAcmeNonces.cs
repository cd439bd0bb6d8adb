using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Acme;

namespace Pki.Functions.Acme;

public sealed class SweepAcmeNonces(AcmeNonces nonces, ILogger<SweepAcmeNonces> logger)
{
    [Function(nameof(SweepAcmeNonces))]
    public async Task Run([TimerTrigger(Schedules.AcmeNonceSweep)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var deleted = await nonces.SweepAsync(cancellationToken);
        logger.LogInformation("Swept {Deleted} used ACME nonces of expired hours", deleted);
    }
}
