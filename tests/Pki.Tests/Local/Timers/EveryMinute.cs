using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Timers;

/// <summary>Runs at the start of every minute.</summary>
public sealed class EveryMinute(TimerProbe probe)
{
    [Function(nameof(EveryMinute))]
    public Task Run([TimerTrigger("0 * * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        probe.Started(nameof(EveryMinute), timer, this);
        probe.Finished();
        return Task.CompletedTask;
    }
}
