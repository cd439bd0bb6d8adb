using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pki.Local.Timers;

/// <summary>Runs each timer function on its schedule, with time from the injected <see cref="TimeProvider"/>.</summary>
public sealed class TimerScheduler(TimerFunctionRunner runner, TimeProvider time, IOptions<DevHostOptions> options, ILogger<TimerScheduler> logger) : BackgroundService
{
    // Timers take at most about 49 days; a longer wait is slept in parts.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(24);

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
                var due = runner.NextDue(function);
                for (var wait = due - time.GetUtcNow(); wait > TimeSpan.Zero; wait = due - time.GetUtcNow())
                {
                    await Task.Delay(wait < LongestWait ? wait : LongestWait, time, stoppingToken).ConfigureAwait(false);
                }

                await runner.RunOnScheduleAsync(function, onStartup: false, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }
}
