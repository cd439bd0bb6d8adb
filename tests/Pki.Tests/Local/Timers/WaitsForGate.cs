using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Timers;

/// <summary>Runs every minute and stays running until the test releases the probe's gate once.</summary>
public sealed class WaitsForGate(TimerProbe probe)
{
    [Function(nameof(WaitsForGate))]
    public async Task Run([TimerTrigger("0 * * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        probe.Started(nameof(WaitsForGate), timer, this);
        try
        {
            await probe.Gate.WaitAsync(cancellationToken);
        }
        finally
        {
            probe.Finished();
        }
    }
}
