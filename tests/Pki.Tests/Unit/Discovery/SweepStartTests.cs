using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Discovery;
using Pki.Core.Discovery.Sweeps;
using Pki.Core.Discovery.Targets;
using Pki.Core.Errors;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Discovery;

/// <summary>A sweep's start either runs to the end (recorded, every batch queued) or is released; it never wedges discovery.</summary>
public sealed class SweepStartTests
{
    // 10.20.1.0/26 on one port is 62 endpoints: 16 batches of 4.
    private const int Batches = 16;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemorySweepStore _sweeps = new();
    private readonly FakeQueue _queue = new();
    private readonly InMemoryAuditStore _audit = new();
    private readonly SweepService _service;

    public SweepStartTests()
    {
        var options = Options.Create(new PkiOptions { Discovery = { AllowedNetworks = ["10.20.0.0/16"], BatchSize = 4 } });
        var targets = new OneTargetStore(new DiscoveryTarget("t1", TargetKind.Cidr, [], "10.20.1.0/26", [443], null, null, null, _time.GetUtcNow()));
        var trail = new AuditTrail(_audit, new CallerContext(), _time, NullLogger<AuditTrail>.Instance);

        // Starting a sweep scans nothing and records nothing in the inventory.
        _service = new SweepService(targets, _sweeps, _queue, null!, new NetworkPolicy(options), null!, null!, trail, options, _time, NullLogger<SweepService>.Instance);
    }

    [Fact]
    public async Task A_caller_leaving_mid_queue_does_not_stop_the_start_it_claimed()
    {
        using var caller = new CancellationTokenSource();
        _queue.AfterSend = n => { if (n == 5) caller.Cancel(); };

        var view = await _service.StartAsync("manual", caller.Token);

        Assert.True(caller.IsCancellationRequested);
        Assert.Equal(Enumerable.Range(0, Batches), _queue.Sent.Select(b => b.Batch));
        var record = Assert.Single(_audit.Records, r => r.Action == AuditActions.SweepStart);
        Assert.Equal(AuditOutcomes.Succeeded, record.Outcome);
        Assert.Contains($"sweep={view.Id}", record.Detail);
        Assert.True(_sweeps.Sweep(view.Id).Queued);
    }

    [Fact]
    public async Task A_caller_gone_before_the_claim_leaves_nothing_behind()
    {
        using var caller = new CancellationTokenSource();
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _service.StartAsync("manual", caller.Token));

        Assert.Null(_sweeps.CurrentId);
        Assert.Empty(_queue.Sent);
        Assert.Empty(_audit.Records);
    }

    [Fact]
    public async Task A_queue_failing_part_way_releases_the_sweep_to_what_was_queued_and_the_next_start_is_accepted()
    {
        _queue.FailAfter = 5;

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => _service.StartAsync("manual"));

        var failed = _sweeps.Sweep(_sweeps.CurrentId!);
        Assert.True(failed.Released);
        Assert.Equal(5, failed.Batches);
        Assert.Equal([AuditOutcomes.Succeeded, AuditOutcomes.Failed], _audit.Records.Where(r => r.Action == AuditActions.SweepStart).Select(r => r.Outcome));
        Assert.Contains("released after queuing 5 of 16 batches", _audit.Records[^1].Detail);

        _queue.FailAfter = null;
        var next = await _service.StartAsync("manual");
        Assert.NotEqual(failed.Id, next.Id);
        Assert.Equal(5 + Batches, _queue.Sent.Count);
        Assert.False((await _service.GetAsync(failed.Id)).Complete);
        Assert.True((await _service.GetAsync(failed.Id)).Released);
    }

    [Fact]
    public async Task A_start_whose_record_cannot_be_appended_queues_nothing_and_blocks_nothing()
    {
        _audit.FailuresToReport = 1;

        await Assert.ThrowsAnyAsync<Exception>(() => _service.StartAsync("manual"));

        Assert.Empty(_queue.Sent);
        Assert.True(_sweeps.Sweep(_sweeps.CurrentId!).Released);
        await _service.StartAsync("manual");
        Assert.Equal(Batches, _queue.Sent.Count);
    }

    [Fact]
    public async Task A_start_that_died_while_queuing_blocks_the_next_only_for_the_queuing_grace()
    {
        // A crash: nothing after the fifth batch runs, not even the release.
        _queue.FailAfter = 5;
        _sweeps.FailReleases = true;
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => _service.StartAsync("manual"));
        _queue.FailAfter = null;

        Assert.Equal("sweep-in-progress", (await Assert.ThrowsAsync<ProblemException>(() => _service.StartAsync("manual"))).Type);
        _time.Advance(TimeSpan.FromMinutes(11));
        await _service.StartAsync("manual");
    }

    [Fact]
    public async Task A_fully_queued_sweep_still_blocks_the_next_start_until_done()
    {
        await _service.StartAsync("manual");
        _time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal("sweep-in-progress", (await Assert.ThrowsAsync<ProblemException>(() => _service.StartAsync("schedule"))).Type);
    }

    private sealed class FakeQueue : ISweepQueue
    {
        public List<SweepBatch> Sent { get; } = [];

        public int? FailAfter { get; set; }

        public Action<int>? AfterSend { get; set; }

        public Task SendAsync(SweepBatch batch, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Sent.Count(b => b.SweepId == batch.SweepId) == FailAfter)
            {
                throw new InvalidOperationException("The queue is unavailable.");
            }

            Sent.Add(batch);
            AfterSend?.Invoke(Sent.Count);
            return Task.CompletedTask;
        }
    }

    /// <summary>The table store's rules for which sweep blocks a start, in memory.</summary>
    private sealed class InMemorySweepStore : ISweepStore
    {
        private readonly Dictionary<string, SweepRecord> _sweeps = [];

        public string? CurrentId { get; private set; }

        public bool FailReleases { get; set; }

        public SweepRecord Sweep(string id) => _sweeps[id];

        public Task<string?> TryBeginAsync(SweepRecord sweep, DateTimeOffset runningIfStartedAfter, DateTimeOffset queuingIfStartedAfter, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (CurrentId is { } id && _sweeps[id] is var running && running.Batches > 0 && running.StartedAt > runningIfStartedAfter
                && !running.Released && (running.Queued || running.StartedAt > queuingIfStartedAfter))
            {
                return Task.FromResult<string?>(id);
            }

            _sweeps[sweep.Id] = sweep with { Queued = false };
            CurrentId = sweep.Id;
            return Task.FromResult<string?>(null);
        }

        public Task MarkQueuedAsync(string sweepId, CancellationToken cancellationToken = default)
        {
            _sweeps[sweepId] = _sweeps[sweepId] with { Queued = true };
            return Task.CompletedTask;
        }

        public Task ReleaseAsync(string sweepId, int queued, CancellationToken cancellationToken = default)
        {
            if (FailReleases)
            {
                throw new InvalidOperationException("The table is unavailable.");
            }

            _sweeps[sweepId] = _sweeps[sweepId] with { Batches = queued, Queued = true, Released = true };
            return Task.CompletedTask;
        }

        public Task<string?> GetCurrentIdAsync(CancellationToken cancellationToken = default) => Task.FromResult(CurrentId);

        // No batch finishes in these tests.
        public Task<(SweepRecord Sweep, IReadOnlyList<BatchRecord> Batches)?> GetAsync(string sweepId, CancellationToken cancellationToken = default) =>
            Task.FromResult<(SweepRecord, IReadOnlyList<BatchRecord>)?>(_sweeps.TryGetValue(sweepId, out var s) ? (s, []) : null);

        public Task<bool> IsBatchDoneAsync(string sweepId, int batch, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task CompleteBatchAsync(BatchRecord batch, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private sealed class OneTargetStore(DiscoveryTarget target) : ITargetStore
    {
        public Task AddAsync(DiscoveryTarget t, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<DiscoveryTarget>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<DiscoveryTarget>>([target]);

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
