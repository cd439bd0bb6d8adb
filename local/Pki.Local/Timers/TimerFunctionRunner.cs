using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pki.Local.Timers;

/// <summary>
/// Runs timer functions, on their schedule (for <see cref="TimerScheduler"/>) or by hand (for the admin
/// endpoint and tests), one run of a function at a time in this host. A scheduled run also takes the timer's
/// lease (<see cref="TimerLeases"/>), so across all hosts sharing the storage account each occurrence runs once,
/// as under the Functions host's singleton timer listener. Each run gets a function instance of its own from a
/// fresh DI scope.
/// </summary>
public sealed class TimerFunctionRunner
{
    private readonly Dictionary<string, TimerState> _timers;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimerLeases _leases;
    private readonly TimeProvider _time;
    private readonly ILogger<TimerFunctionRunner> _logger;

    public TimerFunctionRunner(FunctionCatalog catalog, IServiceScopeFactory scopes, TimerLeases leases, TimeProvider time, ILogger<TimerFunctionRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _scopes = scopes;
        _leases = leases;
        _time = time;
        _logger = logger;

        // Schedule status as the host keeps it before the first run: no Last, Next the first occurrence from now.
        var now = time.GetUtcNow();
        Functions = catalog.Timers;
        _timers = catalog.Timers.ToDictionary(
            t => t.Name,
            t => new TimerState(t, new TimerScheduleStatus(DateTimeOffset.MinValue, t.NextOccurrence(now), DateTimeOffset.MinValue)),
            StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<TimerFunction> Functions { get; }

    public bool Contains(string name) => _timers.ContainsKey(name);

    /// <summary>
    /// Runs the function now, by hand, and completes when the run does; a run of the same function that
    /// is in progress finishes first. A failure is logged and thrown to the caller.
    /// </summary>
    /// <exception cref="ArgumentException">No timer function has this name.</exception>
    public async Task RunAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_timers.TryGetValue(name, out var state))
        {
            throw new ArgumentException($"No timer function is named '{name}'.", nameof(name));
        }

        await state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Like the host's admin invocation: the status as the schedule left it, never past due, and no change to it.
            await InvokeAsync(state.Function, TimerInfoFor(state.Status, isPastDue: false), "Manual", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            state.Lock.Release();
        }
    }

    /// <summary>When the schedule next wants the function to run.</summary>
    internal DateTimeOffset NextDue(TimerFunction function) => _timers[function.Name].Status.Next;

    /// <summary>
    /// The run the schedule asks for (or RunOnStartup's first run), if this host gets the timer's lease. A failure is
    /// logged and ends there, so the schedule goes on; the next occurrence is reckoned from when this run started, as
    /// the host does, so occurrences missed while it waited or ran late fold into one prompt run.
    /// </summary>
    internal async Task RunOnScheduleAsync(TimerFunction function, bool onStartup, CancellationToken cancellationToken)
    {
        var state = _timers[function.Name];
        await state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = _time.GetUtcNow();
            var lease = await TryAcquireAsync(state, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                // Another host runs this occurrence (or storage failed, logged); this host tries at the next one, and the
                // shared status keeps this one due should nobody have run it.
                state.Status = state.Status with { Next = function.NextOccurrence(started) };
                return;
            }

            await using (lease.ConfigureAwait(false))
            {
                // The status the last holder wrote, on whichever host; it says whether this occurrence has run already.
                var status = lease.Status ?? state.Status;
                if (!onStartup && status.Next > started)
                {
                    _logger.LogDebug("Skipped {FunctionName}: another host ran the occurrence at {Last:o}; next at {Next:o}", function.Name, status.Last, status.Next);
                    state.Status = status;
                    return;
                }

                // The host sets IsPastDue only for an occurrence missed while it was down (azure-webjobs-sdk-extensions#631);
                // here it also marks a run that starts after the following occurrence has passed.
                var isPastDue = !onStartup && function.NextOccurrence(status.Next) <= started;
                try
                {
                    await InvokeAsync(function, TimerInfoFor(status, isPastDue), onStartup ? "RunOnStartup" : "Schedule", cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Logged by InvokeAsync; a failed run must not stop the schedule.
                }

                // Written only after the run, as the host does: a run cut short by a stop leaves its occurrence due for the next holder.
                var ran = new TimerScheduleStatus(started, function.NextOccurrence(started), started);
                await WriteStatusAsync(function, lease, ran).ConfigureAwait(false);
                state.Status = ran;
            }
        }
        finally
        {
            state.Lock.Release();
        }
    }

    /// <summary>The timer's lease, or null when another host holds it or storage failed (logged): either way this occurrence is not ours.</summary>
    private async Task<TimerLease?> TryAcquireAsync(TimerState state, CancellationToken cancellationToken)
    {
        try
        {
            var lease = await _leases.TryAcquireAsync(state.Function.Name, state.Status, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                _logger.LogDebug("Skipped {FunctionName}: another host holds its lease", state.Function.Name);
            }

            return lease;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning(e, "Skipped {FunctionName}: taking its lease failed; the next occurrence tries again", state.Function.Name);
            return null;
        }
    }

    private async Task WriteStatusAsync(TimerFunction function, TimerLease lease, TimerScheduleStatus status)
    {
        try
        {
            // Not cancelled by a stop: the run is over, and its status keeps another host from running the occurrence again.
            await lease.WriteStatusAsync(status, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Most likely the lease lapsed during a long run and another host took over: its status stands.
            _logger.LogWarning(e, "Recording the run of {FunctionName} at {Last:o} failed; another host may run that occurrence again", function.Name, status.Last);
        }
    }

    private async Task InvokeAsync(TimerFunction function, TimerInfo timer, string trigger, CancellationToken cancellationToken)
    {
        var invocationId = Guid.NewGuid();
        using var logScope = _logger.BeginScope(new Dictionary<string, object> { ["FunctionName"] = function.Name, ["InvocationId"] = invocationId });
        _logger.LogInformation("Executing {FunctionName} (trigger {Trigger}, past due {IsPastDue}, id {InvocationId})", function.Name, trigger, timer.IsPastDue, invocationId);
        var started = _time.GetTimestamp();
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var instance = function.Method.IsStatic ? null : ActivatorUtilities.CreateInstance(scope.ServiceProvider, function.FunctionType);
            var args = function.Method.GetParameters()
                .Select(p => p.ParameterType == typeof(CancellationToken) ? (object)cancellationToken : timer)
                .ToArray();
            if (function.Method.Invoke(instance, BindingFlags.DoNotWrapExceptions, null, args, null) is Task task)
            {
                await task.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("Cancelled {FunctionName} after {DurationMs} ms (id {InvocationId})", function.Name, Elapsed(started), invocationId);
            throw;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Failed {FunctionName} after {DurationMs} ms (id {InvocationId})", function.Name, Elapsed(started), invocationId);
            throw;
        }

        _logger.LogInformation("Executed {FunctionName} in {DurationMs} ms (id {InvocationId})", function.Name, Elapsed(started), invocationId);
    }

    private long Elapsed(long started) => (long)_time.GetElapsedTime(started).TotalMilliseconds;

    // As the host fills it: Last is the previous run, Next the occurrence this run serves, in UTC (DateTime.MinValue for never).
    private static TimerInfo TimerInfoFor(TimerScheduleStatus status, bool isPastDue) => new()
    {
        IsPastDue = isPastDue,
        ScheduleStatus = new ScheduleStatus
        {
            Last = status.Last.UtcDateTime,
            Next = status.Next.UtcDateTime,
            LastUpdated = status.LastUpdated.UtcDateTime,
        },
    };

    private sealed class TimerState(TimerFunction function, TimerScheduleStatus status)
    {
        public TimerFunction Function { get; } = function;

        public SemaphoreSlim Lock { get; } = new(1, 1);

        /// <summary>This host's view of the schedule, refreshed from the shared status whenever it holds the lease; written only under <see cref="Lock"/>.</summary>
        public TimerScheduleStatus Status { get; set; } = status;
    }
}
