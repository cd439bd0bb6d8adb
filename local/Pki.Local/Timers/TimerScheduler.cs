using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pki.Local.Timers;

/// <summary>
/// Runs each timer function on its schedule, with time from the injected <see cref="TimeProvider"/>. Every host wakes
/// for every occurrence; the timer's lease decides which one runs it (see <see cref="TimerFunctionRunner"/>).
/// </summary>
public sealed class TimerScheduler(TimerFunctionRunner runner, TimerLeases leases, TimeProvider time, IOptions<DevHostOptions> options, ILogger<TimerScheduler> logger) : BackgroundService
{
    // Timers take at most about 49 days; a longer wait is slept in parts.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(24);

    // Making a timer takes microseconds; a clock that moved more than this meanwhile was moved, not read twice.
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMilliseconds(1);

    /// <summary>Fails the host's start when schedules are on and no storage account holds their leases.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.DisableTimers && runner.Functions.Count > 0)
        {
            leases.EnsureConfigured();
        }

        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var functions = runner.Functions;
        if (options.Value.DisableTimers)
        {
            logger.LogInformation("Timer schedules are off ({Setting}); {Count} timer functions run only by hand", "DevHost:DisableTimers", functions.Count);
            return Task.CompletedTask;
        }

        // One loop per function: a slow or failing function holds up none of the others.
        return Task.WhenAll(functions.Select(f => RunOnScheduleAsync(f, stoppingToken)));
    }

    /// <summary>
    /// Waits until the clock reads <paramref name="due"/>. A timer runs a span from when it is made, so a clock
    /// that moved between reading it and making the timer (a fake clock a test moves, a preempted thread)
    /// would leave the timer due late; such a timer is dropped and made again.
    /// </summary>
    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken stoppingToken)
    {
        while (true)
        {
            var before = time.GetUtcNow();
            var wait = due - before;
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            using var abandon = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(wait < LongestWait ? wait : LongestWait, time, abandon.Token);
            if (time.GetUtcNow() - before > ClockSlack)
            {
                await abandon.CancelAsync().ConfigureAwait(false);
                continue;
            }

            await delay.ConfigureAwait(false);
        }
    }

    private async Task RunOnScheduleAsync(TimerFunction function, CancellationToken stoppingToken)
    {
        logger.LogInformation("Scheduled {FunctionName} on '{Schedule}' (UTC), next at {Next:o}", function.Name, function.Schedule, runner.NextDue(function));
        try
        {
            if (function.RunOnStartup)
            {
                await runner.RunOnScheduleAsync(function, onStartup: true, stoppingToken).ConfigureAwait(false);
            }

            while (true)
            {
                await WaitUntilAsync(runner.NextDue(function), stoppingToken).ConfigureAwait(false);
                await runner.RunOnScheduleAsync(function, onStartup: false, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }
}
