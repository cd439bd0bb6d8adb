using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Revocation.Ocsp;

namespace Pki.Functions;

public sealed class RefreshOcspResponses(OcspService ocsp, ILogger<RefreshOcspResponses> logger)
{
    [Function(nameof(RefreshOcspResponses))]
    public async Task Run([TimerTrigger(Schedules.OcspRefresh)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var refreshed = await ocsp.RefreshDueAsync(cancellationToken);
        logger.LogInformation("OCSP refresh re-signed {Count} responses", refreshed);
    }
}
