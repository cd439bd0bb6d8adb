using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Timers;

/// <summary>Fails every minute, synchronously (a void function).</summary>
public sealed class AlwaysFails(TimerProbe probe)
{
    [Function(nameof(AlwaysFails))]
    public void Run([TimerTrigger("0 * * * * *")] TimerInfo timer)
    {
        probe.Started(nameof(AlwaysFails), timer, this);
        probe.Finished();
        throw new InvalidOperationException("The refresh failed.");
    }
}
