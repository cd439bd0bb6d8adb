using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Errors;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Access;

/// <summary>The issuance limit on the real counter table: concurrency, several instances, and its storage cost.</summary>
public sealed class RateLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 30, 0, TimeSpan.Zero));
    private readonly Caller _caller = new("ci-pipeline", "payments", [Roles.Requester], "api-key");

    private (IssuanceRateLimiter Limiter, CountingStore Store) Instance(PkiOptions options)
    {
        var store = new CountingStore(new TableRateLimitStore(new TableStorage(Options.Create(options))));
        return (new IssuanceRateLimiter(store, Options.Create(options), _time, NullLogger<IssuanceRateLimiter>.Instance), store);
    }

    private static PkiOptions Options_(int limit) => new()
    {
        Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = TestEnvironment.UniqueId("rl") },
        Access = { RateLimits = { IssuancePerWindow = limit, WindowSeconds = 3600 } },
    };

    [Fact]
    public async Task Concurrent_requests_of_one_caller_within_its_limit_all_pass_at_one_counter_update_per_chunk()
    {
        var (limiter, store) = Instance(Options_(limit: 1000));

        // 64 at once from one pipeline: before, racing ETag updates ran out of retries and answered 429 far below the limit.
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => limiter.CheckAsync(_caller))));

        Assert.Equal(2, store.Calls); // 64 requests, allowance taken 50 (a twentieth of the limit) at a time
    }

    [Fact]
    public async Task Two_instances_never_let_a_caller_past_its_limit_and_refuse_at_most_a_chunk_early_each()
    {
        const int limit = 100;
        var options = Options_(limit);
        var instances = new[] { Instance(options), Instance(options) };
        var granted = 0;
        var refused = 0;
        await Task.WhenAll(instances.SelectMany(i => Enumerable.Range(0, 80).Select(_ => Task.Run(async () =>
        {
            try
            {
                await i.Limiter.CheckAsync(_caller);
                Interlocked.Increment(ref granted);
            }
            catch (ProblemException e) when (e.Kind == ProblemKind.TooManyRequests)
            {
                Interlocked.Increment(ref refused);
            }
        }))));

        Assert.Equal(160, granted + refused);
        Assert.InRange(granted, limit - (instances.Length * (IssuanceRateLimiter.ChunkOf(limit) - 1)), limit);

        // An instance may still hold allowance it took; it hands that out, and no more than the limit in all.
        var drained = 0;
        for (var i = 0; i <= IssuanceRateLimiter.ChunkOf(limit); i++)
        {
            try
            {
                await instances[0].Limiter.CheckAsync(_caller);
                drained++;
            }
            catch (ProblemException e) when (e.Kind == ProblemKind.TooManyRequests)
            {
                break;
            }
        }

        Assert.InRange(granted + drained, 0, limit);

        // Once the counter has said the window is spent, the instance refuses without asking storage; the next window is new.
        var calls = instances.Sum(i => i.Store.Calls);
        await Assert.ThrowsAsync<ProblemException>(() => instances[0].Limiter.CheckAsync(_caller));
        Assert.Equal(calls, instances.Sum(i => i.Store.Calls));
        _time.Advance(TimeSpan.FromHours(1));
        await instances[0].Limiter.CheckAsync(_caller);
    }

    private sealed class CountingStore(IRateLimitStore inner) : IRateLimitStore
    {
        private int _calls;

        public int Calls => _calls;

        public Task<int> TakeAsync(string key, DateTimeOffset windowStart, int limit, int wanted, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return inner.TakeAsync(key, windowStart, limit, wanted, cancellationToken);
        }
    }
}
