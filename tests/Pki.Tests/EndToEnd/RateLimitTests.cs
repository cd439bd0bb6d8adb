using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>A host whose callers may send 3 certificate requests per hour.</summary>
public sealed class RateLimitedHostFixture : DevHostFixture
{
    public const int Limit = 3;

    /// <summary>The clock stands still mid-window, so the test never straddles a window boundary.</summary>
    public FakeTimeProvider Time { get; } = new(MidHour(DateTimeOffset.UtcNow));

    public override Task InitializeAsync() =>
        StartHostAsync(
            [$"--Pki:Access:RateLimits:IssuancePerWindow={Limit}", "--Pki:Access:RateLimits:WindowSeconds=3600"],
            services => services.AddSingleton<TimeProvider>(Time));

    /// <summary>Half past the hour of <paramref name="now"/>, read once (the date and the hour of two readings may straddle midnight).</summary>
    private static DateTimeOffset MidHour(DateTimeOffset now) => new(now.Year, now.Month, now.Day, now.Hour, 30, 0, TimeSpan.Zero);
}

public sealed class RateLimitTests(RateLimitedHostFixture host) : IClassFixture<RateLimitedHostFixture>
{
    [Fact]
    public async Task A_caller_in_a_retry_loop_gets_429_with_retry_after_and_stores_nothing_while_others_go_on()
    {
        using var ssl = new Openssl();
        using var looping = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        var csr = ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=loop.payments.internal", "DNS:loop.payments.internal");

        // Refused attempts count too: that is what stops a loop retrying a bad request.
        await (await looping.RequestAsync(csr, owner: null)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "missing-owner");
        for (var i = 1; i < RateLimitedHostFixture.Limit; i++)
        {
            await looping.IssueAsync(csr);
        }

        var before = await host.CountStateAsync();
        for (var i = 0; i < 5; i++)
        {
            using var response = await looping.RequestAsync(csr);
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.Equal(TimeSpan.FromMinutes(30), retryAfter.Value);
            await response.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        }

        Assert.Equal(before, await host.CountStateAsync());

        // Another identity has its own allowance; reads are not limited.
        using var other = TestCallers.WebRequester.Client(host.BaseAddress);
        await other.IssueAsync(ssl.NewCsr(ssl.NewKey("k2", "ec:P-256"), "/CN=web.internal", "DNS:web.internal"));
        using (var read = await looping.GetAsync("/api/inventory"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        // The next window gives a new allowance.
        host.Time.Advance(TimeSpan.FromMinutes(30));
        await looping.IssueAsync(csr);
    }
}
