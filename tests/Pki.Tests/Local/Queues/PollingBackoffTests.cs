using Pki.Local.Queues;

namespace Pki.Tests.Local.Queues;

/// <summary>The host's polling backoff: from the minimum, growing about twofold in its increment, capped, reset by a find.</summary>
public sealed class PollingBackoffTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(2);

    [Fact]
    public void Empty_polls_wait_longer_each_time_up_to_the_maximum()
    {
        var backoff = new PollingBackoff(Min, Max);

        var waits = Enumerable.Range(0, 10).Select(_ => backoff.Next(foundMessages: false)).ToArray();

        Assert.Equal(Min, waits[0]);

        // The n-th increment is 2^(n-1) minimums, give or take 20 %.
        for (var n = 1; n < 4; n++)
        {
            var increment = (waits[n] - Min).TotalMilliseconds / Min.TotalMilliseconds;
            Assert.InRange(increment, 0.8 * Math.Pow(2, n - 1), 1.2 * Math.Pow(2, n - 1));
        }

        Assert.All(waits.Zip(waits.Skip(1)), pair => Assert.True(pair.Second >= pair.First));
        Assert.Equal(Max, waits[^1]);
        Assert.All(waits, w => Assert.InRange(w, Min, Max));
    }

    [Fact]
    public void A_poll_that_found_messages_starts_the_backoff_again()
    {
        var backoff = new PollingBackoff(Min, Max);
        for (var i = 0; i < 10; i++)
        {
            backoff.Next(foundMessages: false);
        }

        Assert.Equal(Min, backoff.Next(foundMessages: true));
        Assert.InRange(backoff.Next(foundMessages: false), Min * 1.8, Min * 2.2);
    }
}
