using Pki.Core.Renewal;

namespace Pki.Tests.Unit.Renewal;

public sealed class RenewalPolicyTests
{
    private static readonly DateTimeOffset NotBefore = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Renew_is_due_after_two_thirds_of_the_lifetime_by_default()
    {
        Assert.Equal(NotBefore.AddDays(30), RenewalPolicy.DueAt(NotBefore, NotBefore.AddDays(45), new RenewalOptions()));
    }

    [Theory]
    [InlineData(10, 30)] // 45 - 10 = 35 is later than two thirds (30): the fraction wins
    [InlineData(20, 25)] // 45 - 20 = 25 is earlier: the days win
    [InlineData(100, 15)] // never in the first third: a loop configuration is clamped
    [InlineData(45, 15)]
    [InlineData(40, 15)]
    public void The_earlier_of_fraction_and_days_before_expiry_wins(int daysBeforeExpiry, int expectedDays)
    {
        var options = new RenewalOptions { RenewDaysBeforeExpiry = daysBeforeExpiry };
        Assert.Equal(NotBefore.AddDays(expectedDays), RenewalPolicy.DueAt(NotBefore, NotBefore.AddDays(45), options));
    }

    [Fact]
    public void A_successor_is_never_due_at_birth_when_the_days_before_expiry_exceed_its_lifetime()
    {
        // 47-day certificates with RenewDaysBeforeExpiry 60 were renewed at every planner pass, one successor after another.
        var options = new RenewalOptions { RenewDaysBeforeExpiry = 60 };
        var issued = NotBefore;
        for (var generation = 0; generation < 5; generation++)
        {
            var due = RenewalPolicy.DueAt(issued, issued.AddDays(47), options);
            Assert.True(due >= issued.AddDays(47.0 / 3), $"generation {generation} is due {due - issued} after its birth");
            issued = due;
        }

        Assert.True(RenewalPolicy.IsClamped(47, options));
        Assert.False(RenewalPolicy.IsClamped(47, new RenewalOptions { RenewDaysBeforeExpiry = 14 }));
    }
}
