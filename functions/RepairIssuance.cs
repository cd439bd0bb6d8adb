using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Authority;

namespace Pki.Functions;

public sealed class RepairIssuance(IssuanceRepair repair, ILogger<RepairIssuance> logger)
{
    [Function(nameof(RepairIssuance))]
    public async Task Run([TimerTrigger(Schedules.IssuanceRepair)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var outcome = await repair.RunAsync(cancellationToken);
        if (outcome.Finished > 0 || outcome.Abandoned > 0 || outcome.FailedHours > 0)
        {
            logger.LogWarning("Issuance repair finished {Finished} certificates and abandoned {Abandoned} reservations left by stopped requests; {FailedHours} hours wait for the next pass", outcome.Finished, outcome.Abandoned, outcome.FailedHours);
        }
    }
}
