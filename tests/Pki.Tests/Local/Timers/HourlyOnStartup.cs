using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Timers;

/// <summary>Runs when the host starts, then on the hour.</summary>
public sealed class HourlyOnStartup(TimerProbe probe)
{
    [Function(nameof(HourlyOnStartup))]
    public Task Run([TimerTrigger("0 0 * * * *", RunOnStartup = true)] TimerInfo timer)
    {
        probe.Started(nameof(HourlyOnStartup), timer, this);
        probe.Finished();
        return Task.CompletedTask;
    }
}
