using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pki.Local.Timers;

/// <summary>
/// Runs timer functions, on their schedule (for <see cref="TimerScheduler"/>) or by hand (for the admin
/// endpoint and tests), one run of a function at a time, as the Functions host's singleton lock allows.
/// Each run gets a function instance of its own from a fresh DI scope.
/// </summary>
public sealed class TimerFunctionRunner
{
    private readonly Dictionary<string, TimerState> _timers;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger<TimerFunctionRunner> _logger;

    public TimerFunctionRunner(FunctionCatalog catalog, IServiceScopeFactory scopes, TimeProvider time, ILogger<TimerFunctionRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _scopes = scopes;
        _time = time;
        _logger = logger;

        // Schedule status as the host keeps it before the first run: no Last, Next the first occurrence from now.
        var now = time.GetUtcNow();
        Functions = catalog.Timers;
        _timers = catalog.Timers.ToDictionary(
            t => t.Name,
            t => new TimerState(t, new Status(DateTimeOffset.MinValue, t.NextOccurrence(now), DateTimeOffset.MinValue)),
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
    /// The run the schedule asks for (or RunOnStartup's first run). A failure is logged and ends there, so the
    /// schedule goes on; the next occurrence is reckoned from when this run started, as the host does, so
    /// occurrences missed while it waited or ran late fold into one prompt run.
    /// </summary>
    internal async Task RunOnScheduleAsync(TimerFunction function, bool onStartup, CancellationToken cancellationToken)
    {
        var state = _timers[function.Name];
        await state.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var status = state.Status;
            var started = _time.GetUtcNow();

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

            // A timer that fires a moment early still counts as its occurrence, so that occurrence is not run twice.
            var invoked = onStartup || started >= status.Next ? started : status.Next;
            state.Status = new Status(invoked, function.NextOccurrence(invoked), invoked);
        }
        finally
        {
            state.Lock.Release();
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
    private static TimerInfo TimerInfoFor(Status status, bool isPastDue) => new()
    {
        IsPastDue = isPastDue,
        ScheduleStatus = new ScheduleStatus
        {
            Last = status.Last.UtcDateTime,
            Next = status.Next.UtcDateTime,
            LastUpdated = status.LastUpdated.UtcDateTime,
        },
    };

    private sealed record Status(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated);

    private sealed class TimerState(TimerFunction function, Status status)
    {
        public TimerFunction Function { get; } = function;

        public SemaphoreSlim Lock { get; } = new(1, 1);

        /// <summary>Written only under <see cref="Lock"/>.</summary>
        public Status Status { get; set; } = status;
    }
}
