using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;
using Pki.Local;
using Pki.Local.Timers;

namespace Pki.Tests.Local.Timers;

/// <summary>Discovery finds HTTP and timer functions in any types, and refuses loudly what the dev host cannot run (queue functions: Unit/Queues).</summary>
public sealed class FunctionCatalogTests
{
    [Fact]
    public void Http_and_timer_functions_are_found_side_by_side()
    {
        var catalog = FunctionCatalog.Discover([typeof(SampleTimers), typeof(Ping)]);

        var route = Assert.Single(catalog.HttpRoutes);
        Assert.Equal(("Ping", "ping"), (route.Name, route.Route));
        Assert.Equal(
            ["EveryFiveMinutes 0 */5 * * * * True", "EveryTenSeconds */10 * * * * * False"],
            catalog.Timers.Select(t => $"{t.Name} {t.Schedule} {t.RunOnStartup}").Order());
        Assert.All(catalog.Timers, t => Assert.Equal(typeof(SampleTimers), t.FunctionType));
    }

    [Fact]
    public void Discovery_reads_any_assembly()
    {
        var catalog = FunctionCatalog.Discover(typeof(SampleTimers).Assembly);

        Assert.Contains(catalog.Timers, t => t.Name == "EveryFiveMinutes");
        Assert.Contains(catalog.Timers, t => t.Name == "EveryTenSeconds");
    }

    [Theory]
    [InlineData("0 */5 * * * *", "2026-03-02T12:03:10Z", "2026-03-02T12:05:00Z")]
    [InlineData("0 */5 * * * *", "2026-03-02T12:05:00Z", "2026-03-02T12:10:00Z")]
    [InlineData("*/10 * * * * *", "2026-03-02T12:00:00.5Z", "2026-03-02T12:00:10Z")]
    [InlineData("0 30 2 * * *", "2026-03-02T03:00:00+02:00", "2026-03-02T02:30:00Z")]
    [InlineData("0 0 0 1 1 *", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z")]
    public void Next_occurrence_is_the_first_strictly_after_the_given_time_in_utc(string schedule, string after, string expected)
    {
        var timer = Assert.Single(FunctionCatalog.Discover([ScheduledType(schedule)]).Timers);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            timer.NextOccurrence(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_schedule_that_never_fires_has_no_next_occurrence()
    {
        var timer = Assert.Single(FunctionCatalog.Discover([typeof(OnFebruaryThirtieth)]).Timers);

        Assert.Equal(DateTimeOffset.MaxValue, timer.NextOccurrence(new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Another_trigger_kind_fails_discovery_naming_function_and_trigger()
    {
        var refused = Assert.Throws<NotSupportedException>(() => FunctionCatalog.Discover([typeof(OnBlob)]));

        Assert.Contains("Function OnBlob", refused.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(FakeBlobTriggerAttribute), refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(FiveFieldSchedule), "'*/5 * * * *'")]
    [InlineData(typeof(TimeSpanSchedule), "'00:05:00'")]
    [InlineData(typeof(AppSettingSchedule), "'%CrlSchedule%'")]
    [InlineData(typeof(NoTrigger), "0 trigger parameters")]
    [InlineData(typeof(UnboundParameter), "Parameter 'caId'")]
    [InlineData(typeof(AsyncVoid), "not async void")]
    [InlineData(typeof(ReturnsValue), "must return Task or void")]
    [InlineData(typeof(TwoOfOneName), "Two functions are named twice")]
    public void What_the_dev_host_cannot_run_fails_discovery_with_a_reason(Type type, string reason)
    {
        var refused = Assert.Throws<NotSupportedException>(() => FunctionCatalog.Discover([type]));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    private static Type ScheduledType(string schedule) => schedule switch
    {
        "0 */5 * * * *" => typeof(EveryFiveMinutesOnly),
        "*/10 * * * * *" => typeof(EveryTenSecondsOnly),
        "0 30 2 * * *" => typeof(DailyAtHalfPastTwo),
        "0 0 0 1 1 *" => typeof(NewYear),
        _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "No test type has this schedule."),
    };

    private sealed class Ping
    {
        [Function(nameof(Ping))]
        public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "ping")] HttpRequest req) => new OkResult();
    }

    private sealed class EveryFiveMinutesOnly
    {
        [Function(nameof(EveryFiveMinutesOnly))]
        public void Run([TimerTrigger("0 */5 * * * *")] TimerInfo timer)
        {
        }
    }

    private sealed class EveryTenSecondsOnly
    {
        [Function(nameof(EveryTenSecondsOnly))]
        public void Run([TimerTrigger("*/10 * * * * *")] TimerInfo timer)
        {
        }
    }

    private sealed class DailyAtHalfPastTwo
    {
        [Function(nameof(DailyAtHalfPastTwo))]
        public void Run([TimerTrigger("0 30 2 * * *")] TimerInfo timer)
        {
        }
    }

    private sealed class NewYear
    {
        [Function(nameof(NewYear))]
        public void Run([TimerTrigger("0 0 0 1 1 *")] TimerInfo timer)
        {
        }
    }

    private sealed class OnFebruaryThirtieth
    {
        [Function(nameof(OnFebruaryThirtieth))]
        public void Run([TimerTrigger("0 0 0 30 2 *")] TimerInfo timer)
        {
        }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    private sealed class FakeBlobTriggerAttribute : TriggerBindingAttribute
    {
    }

    private sealed class OnBlob
    {
        [Function(nameof(OnBlob))]
        public void Run([FakeBlobTrigger] string blob)
        {
        }
    }

    private sealed class FiveFieldSchedule
    {
        [Function(nameof(FiveFieldSchedule))]
        public void Run([TimerTrigger("*/5 * * * *")] TimerInfo timer)
        {
        }
    }

    private sealed class TimeSpanSchedule
    {
        [Function(nameof(TimeSpanSchedule))]
        public void Run([TimerTrigger("00:05:00")] TimerInfo timer)
        {
        }
    }

    private sealed class AppSettingSchedule
    {
        [Function(nameof(AppSettingSchedule))]
        public void Run([TimerTrigger("%CrlSchedule%")] TimerInfo timer)
        {
        }
    }

    private sealed class NoTrigger
    {
        [Function(nameof(NoTrigger))]
        public void Run(TimerInfo timer)
        {
        }
    }

    private sealed class UnboundParameter
    {
        [Function(nameof(UnboundParameter))]
        public void Run([TimerTrigger("0 * * * * *")] TimerInfo timer, string caId)
        {
        }
    }

    private sealed class AsyncVoid
    {
        // The Worker SDK's analyzer refuses this shape as well; the dev host must refuse it when the analyzer is not there.
#pragma warning disable AZFW0002
        [Function(nameof(AsyncVoid))]
        public async void Run([TimerTrigger("0 * * * * *")] TimerInfo timer) => await Task.Yield();
#pragma warning restore AZFW0002
    }

    private sealed class ReturnsValue
    {
        [Function(nameof(ReturnsValue))]
        public Task<string> Run([TimerTrigger("0 * * * * *")] TimerInfo timer) => Task.FromResult("output");
    }

    private sealed class TwoOfOneName
    {
        [Function("Twice")]
        public void Run([TimerTrigger("0 * * * * *")] TimerInfo timer)
        {
        }

        [Function("twice")]
        public void Again([TimerTrigger("0 * * * * *")] TimerInfo timer)
        {
        }
    }
}
