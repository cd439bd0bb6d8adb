using Pki.Local.Clock;

namespace Pki.Tests.Local.Clock;

public sealed class IsoDurationTests
{
    public static TheoryData<string, TimeSpan> Valid => new()
    {
        { "P30D", TimeSpan.FromDays(30) },
        { "PT2H", TimeSpan.FromHours(2) },
        { "P1DT12H30M", new TimeSpan(1, 12, 30, 0) },
        { "P2W", TimeSpan.FromDays(14) },
        { "PT90S", TimeSpan.FromSeconds(90) },
        { "PT0.5S", TimeSpan.FromMilliseconds(500) },
        { "p17dt1h", new TimeSpan(17, 1, 0, 0) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Weeks_days_hours_minutes_and_seconds_are_read(string text, TimeSpan expected)
    {
        Assert.True(IsoDuration.TryParse(text, out var duration));
        Assert.Equal(expected, duration);
    }

    [Theory]
    [InlineData("P1Y")]
    [InlineData("P1M")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("P1DT")]
    [InlineData("30D")]
    [InlineData("-P1D")]
    [InlineData("30.00:00:00")]
    [InlineData("")]
    [InlineData(null)]
    public void Years_months_negative_and_malformed_durations_are_refused(string? text)
    {
        Assert.False(IsoDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0, 0, 0, 0, "PT0S")]
    [InlineData(30, 0, 0, 0, "P30D")]
    [InlineData(17, 1, 0, 0, "P17DT1H")]
    [InlineData(0, 0, 30, 5, "PT30M5S")]
    public void The_shortest_form_is_written(int days, int hours, int minutes, int seconds, string expected)
    {
        var duration = new TimeSpan(days, hours, minutes, seconds);
        Assert.Equal(expected, IsoDuration.Format(duration));
        Assert.True(IsoDuration.TryParse(expected, out var back));
        Assert.Equal(duration, back);
    }
}
