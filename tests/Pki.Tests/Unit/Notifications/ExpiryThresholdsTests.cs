using Pki.Core.Notifications;

namespace Pki.Tests.Unit.Notifications;

public sealed class ExpiryThresholdsTests
{
    private static readonly IReadOnlyList<int> Thresholds = NotificationOptions.DefaultThresholdsDays;
    private static readonly DateTimeOffset NotAfter = new(2027, 1, 31, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The entries the index sees over a certificate's life: the first, then each one the pass chains.</summary>
    public static List<ExpiryNoticeEntry> Chain(string fingerprint, DateTimeOffset notAfter, DateTimeOffset firstSeen, IReadOnlyList<int> thresholds)
    {
        var chain = new List<ExpiryNoticeEntry>();
        for (var entry = ExpiryThresholds.First(fingerprint, notAfter, firstSeen, thresholds); entry is not null; entry = ExpiryThresholds.Next(entry, thresholds))
        {
            chain.Add(entry);
        }

        return chain;
    }

    [Fact]
    public void A_certificate_known_before_every_threshold_gets_one_entry_per_threshold_on_its_crossing_day_one_at_a_time()
    {
        var entries = Chain("ab", NotAfter, NotAfter.AddDays(-40), Thresholds);

        Assert.Equal(30, ExpiryThresholds.First("ab", NotAfter, NotAfter.AddDays(-40), Thresholds)!.ThresholdDays);
        Assert.Equal([30, 14, 7, 3, 1, 0], entries.Select(e => e.ThresholdDays));
        Assert.True(entries.Zip(entries.Skip(1)).All(p => p.First.CrossesAt < p.Second.CrossesAt), "each chained entry crosses later than the one before");
        Assert.All(entries, e => Assert.Equal(NotAfter.AddDays(-e.ThresholdDays), e.CrossesAt));
        Assert.Contains(entries, e => e.ThresholdDays == 7 && e.Day == "20270124");
    }

    [Fact]
    public void A_certificate_found_5_days_before_expiry_gets_the_7_day_notice_at_once_and_not_the_earlier_ones()
    {
        var firstSeen = NotAfter.AddDays(-5);

        var entries = Chain("ab", NotAfter, firstSeen, Thresholds);

        Assert.Equal([7, 3, 1, 0], entries.Select(e => e.ThresholdDays));
        var catchUp = Assert.Single(entries, e => e.ThresholdDays == 7);
        Assert.Equal(firstSeen, catchUp.CrossesAt);
        Assert.Equal("20270126", catchUp.Day);
    }

    [Fact]
    public void An_expired_certificate_found_late_gets_only_its_expiry_entry_and_nothing_after()
    {
        var entries = Chain("ab", NotAfter, NotAfter.AddDays(2), Thresholds);
        Assert.Equal([0], entries.Select(e => e.ThresholdDays));
    }

    [Theory]
    [InlineData(30, 0)]
    [InlineData(14, 1)]
    [InlineData(7, 2)]
    [InlineData(0, 5)]
    public void Each_threshold_passed_before_escalates_one_level(int threshold, int step)
    {
        var firstSeen = NotAfter.AddDays(-40);
        Assert.Equal(step, ExpiryThresholds.Escalation(threshold, NotAfter, firstSeen, firstSeen, Thresholds));
    }

    [Theory]
    [InlineData(7, 0)] // the catch-up threshold is the first notice
    [InlineData(3, 1)]
    [InlineData(1, 2)]
    public void A_late_found_certificate_escalates_from_its_catch_up_threshold(int threshold, int step)
    {
        var firstSeen = NotAfter.AddDays(-5);
        Assert.Equal(step, ExpiryThresholds.Escalation(threshold, NotAfter, firstSeen, firstSeen, Thresholds));
    }

    [Theory]
    [InlineData(14, 0)] // crossed before the renewal was due: nobody was told, so nothing escalates
    [InlineData(7, 0)]
    [InlineData(3, 1)]
    public void Thresholds_crossed_while_a_certificate_was_expected_to_renew_itself_do_not_escalate(int threshold, int step)
    {
        var issued = NotAfter.AddDays(-40);
        var due = NotAfter.AddDays(-13);
        Assert.Equal(step, ExpiryThresholds.Escalation(threshold, NotAfter, issued, due, Thresholds));
    }

    [Fact]
    public void Levels_climb_from_owner_to_team_to_admins()
    {
        Assert.Equal([RecipientLevel.Owner], ExpiryThresholds.Levels(0));
        Assert.Equal([RecipientLevel.Owner, RecipientLevel.Team], ExpiryThresholds.Levels(1));
        Assert.Equal([RecipientLevel.Owner, RecipientLevel.Team, RecipientLevel.Admins], ExpiryThresholds.Levels(4));
    }

    [Fact]
    public void A_crossing_is_superseded_once_a_nearer_threshold_has_been_crossed_too()
    {
        Assert.False(ExpiryThresholds.IsSuperseded(14, NotAfter, NotAfter.AddDays(-13), Thresholds));
        Assert.True(ExpiryThresholds.IsSuperseded(14, NotAfter, NotAfter.AddDays(-6), Thresholds));
        Assert.False(ExpiryThresholds.IsSuperseded(0, NotAfter, NotAfter.AddDays(3), Thresholds));
    }

    [Theory]
    [InlineData(45.0, 30)]
    [InlineData(16.0, 30)]
    [InlineData(13.5, 14)]
    [InlineData(0.5, 1)]
    [InlineData(-2.0, 0)]
    public void The_current_threshold_is_the_nearest_at_or_above_the_days_left(double daysLeft, int threshold)
    {
        Assert.Equal(threshold, ExpiryThresholds.Current(daysLeft, Thresholds));
    }
}
