using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace Pki.Local.Timers;

/// <summary>
/// One timer-triggered function and its schedule. Occurrences are computed in UTC, as the Functions host
/// does in Azure unless WEBSITE_TIME_ZONE says otherwise.
/// </summary>
public sealed class TimerFunction
{
    private static readonly CrontabSchedule.ParseOptions WithSeconds = new() { IncludingSeconds = true };
    private readonly CrontabSchedule _crontab;

    private TimerFunction(string name, string schedule, CrontabSchedule crontab, bool runOnStartup, Type functionType, MethodInfo method)
    {
        Name = name;
        Schedule = schedule;
        _crontab = crontab;
        RunOnStartup = runOnStartup;
        FunctionType = functionType;
        Method = method;
    }

    public string Name { get; }

    /// <summary>The NCRONTAB expression as written in the attribute: six fields, seconds first.</summary>
    public string Schedule { get; }

    public bool RunOnStartup { get; }

    public Type FunctionType { get; }

    public MethodInfo Method { get; }

    /// <summary>The first occurrence strictly after <paramref name="after"/>; <see cref="DateTimeOffset.MaxValue"/> if there is none.</summary>
    public DateTimeOffset NextOccurrence(DateTimeOffset after)
    {
        var next = _crontab.GetNextOccurrence(after.UtcDateTime);
        return next == DateTime.MaxValue ? DateTimeOffset.MaxValue : new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc));
    }

    internal static TimerFunction Create(string name, TimerTriggerAttribute trigger, Type type, MethodInfo method)
    {
        var crontab = CrontabSchedule.TryParse(trigger.Schedule, WithSeconds)
            ?? throw new NotSupportedException(
                $"Function {name} has the schedule '{trigger.Schedule}'; the dev host runs six-field NCRONTAB expressions " +
                "with seconds (\"0 */5 * * * *\"), not TimeSpan or %AppSetting% schedules.");

        foreach (var parameter in method.GetParameters())
        {
            if (parameter.GetCustomAttribute<TimerTriggerAttribute>() is not null ? parameter.ParameterType != typeof(TimerInfo) : parameter.ParameterType != typeof(CancellationToken))
            {
                throw new NotSupportedException(
                    $"Parameter '{parameter.Name}' of function {name} cannot be bound by the dev host; a timer function takes a TimerInfo and optionally a CancellationToken.");
            }
        }

        // An async void function could not be awaited, and its exceptions would take the whole host down.
        if (method.ReturnType != typeof(Task) && (method.ReturnType != typeof(void) || method.GetCustomAttribute<AsyncStateMachineAttribute>() is not null))
        {
            throw new NotSupportedException($"Function {name} must return Task or void (not async void), as it has no output binding.");
        }

        return new TimerFunction(name, trigger.Schedule, crontab, trigger.RunOnStartup, type, method);
    }
}
