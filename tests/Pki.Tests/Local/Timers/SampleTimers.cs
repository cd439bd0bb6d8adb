using Microsoft.Azure.Functions.Worker;

namespace Pki.Tests.Local.Timers;

/// <summary>Timer functions in both shapes the dev host accepts; they do nothing.</summary>
public sealed class SampleTimers
{
    [Function("EveryFiveMinutes")]
    public Task Run([TimerTrigger("0 */5 * * * *", RunOnStartup = true)] TimerInfo timer, CancellationToken cancellationToken) => Task.CompletedTask;

    [Function("EveryTenSeconds")]
    public void Run2([TimerTrigger("*/10 * * * * *")] TimerInfo timer)
    {
    }
}
