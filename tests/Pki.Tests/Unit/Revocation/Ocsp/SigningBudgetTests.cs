using Microsoft.Extensions.Time.Testing;
using Pki.Core.Revocation.Ocsp;

namespace Pki.Tests.Unit.Revocation.Ocsp;

public sealed class SigningBudgetTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_burst_is_spent_then_the_rate_refills_it_but_never_past_the_burst()
    {
        var budget = new SigningBudget(perSecond: 2, burst: 3, _time);
        Assert.Equal(3, Take(budget, 10));

        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(budget.TryTake());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, Take(budget, 10));

        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, Take(budget, 10));
    }

    [Fact]
    public void A_budget_of_zero_allows_nothing()
    {
        var budget = new SigningBudget(perSecond: 0, burst: 0, _time);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.False(budget.TryTake());
    }

    private static int Take(SigningBudget budget, int attempts) => Enumerable.Range(0, attempts).Count(_ => budget.TryTake());
}
