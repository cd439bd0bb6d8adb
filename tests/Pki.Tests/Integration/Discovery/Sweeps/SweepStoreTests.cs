using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Discovery.Sweeps;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Discovery.Sweeps;

/// <summary>The sweep store against Azurite: one sweep runs at a time, and progress is per batch.</summary>
public sealed class SweepStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly TableSweepStore _store = new(new TableStorage(Options.Create(new PkiOptions
    {
        Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = TestEnvironment.UniqueId("sw") },
    })));

    [Fact]
    public async Task A_sweep_cannot_start_while_another_runs_but_can_once_it_is_done_or_stale()
    {
        Assert.Null(await _store.TryBeginAsync(new SweepRecord("s1", "manual", Now, 2, 10, 0), Now.AddHours(-1), Now.AddMinutes(-10)));
        Assert.Equal("s1", await _store.TryBeginAsync(new SweepRecord("s2", "manual", Now, 1, 1, 0), Now.AddHours(-1), Now.AddMinutes(-10)));
        Assert.Null(await _store.GetAsync("s2"));

        await _store.CompleteBatchAsync(new BatchRecord("s1", 0, Now, new Dictionary<string, int> { ["Tls"] = 5 }, 5, []));
        await _store.CompleteBatchAsync(new BatchRecord("s1", 0, Now, new Dictionary<string, int> { ["Tls"] = 5 }, 5, []));
        Assert.True(await _store.IsBatchDoneAsync("s1", 0));
        Assert.False(await _store.IsBatchDoneAsync("s1", 1));
        Assert.Equal("s1", await _store.TryBeginAsync(new SweepRecord("s3", "manual", Now, 1, 1, 0), Now.AddHours(-1), Now.AddMinutes(-10)));

        // A sweep started before the cut-off no longer blocks; one whose batches are all done never does.
        Assert.Null(await _store.TryBeginAsync(new SweepRecord("s4", "schedule", Now, 1, 1, 0), Now.AddMinutes(1), Now.AddMinutes(-10)));
        await _store.CompleteBatchAsync(new BatchRecord("s4", 0, Now, new Dictionary<string, int>(), 0, [new ScanFailure("127.0.0.1:1", "Refused", "refused")]));
        Assert.Null(await _store.TryBeginAsync(new SweepRecord("s5", "manual", Now, 1, 1, 0), Now.AddHours(-1), Now.AddMinutes(-10)));

        var s4 = await _store.GetAsync("s4");
        Assert.Equal("Refused", Assert.Single(Assert.Single(s4!.Value.Batches).Failures).Outcome);
    }

    [Fact]
    public async Task A_released_sweep_or_one_that_stopped_queuing_blocks_no_start()
    {
        Assert.Null(await _store.TryBeginAsync(new SweepRecord("r1", "manual", Now, 5, 10, 0), Now.AddHours(-1), Now.AddMinutes(-10)));
        Assert.False((await _store.GetAsync("r1"))!.Value.Sweep.Queued);
        await _store.ReleaseAsync("r1", 2);
        var released = (await _store.GetAsync("r1"))!.Value.Sweep;
        Assert.True(released.Released);
        Assert.Equal(2, released.Batches);
        Assert.Null(await _store.TryBeginAsync(new SweepRecord("r2", "manual", Now, 1, 1, 0), Now.AddHours(-1), Now.AddMinutes(-10)));

        // Queued, it blocks for the whole timeout; not queued (its start died part-way), only for the queuing grace.
        await _store.MarkQueuedAsync("r2");
        Assert.Equal("r2", await _store.TryBeginAsync(new SweepRecord("r3", "manual", Now, 1, 1, 0), Now.AddHours(-1), Now.AddMinutes(1)));
        await _store.CompleteBatchAsync(new BatchRecord("r2", 0, Now, new Dictionary<string, int>(), 0, []));
        Assert.Null(await _store.TryBeginAsync(new SweepRecord("r4", "manual", Now, 1, 1, 0), Now.AddHours(-1), Now.AddMinutes(-10)));
        Assert.Equal("r4", await _store.TryBeginAsync(new SweepRecord("r5", "manual", Now, 1, 1, 0), Now.AddHours(-1), Now.AddMinutes(-10)));
        Assert.Null(await _store.TryBeginAsync(new SweepRecord("r6", "manual", Now, 1, 1, 0), Now.AddHours(-1), Now.AddMinutes(1)));
    }

    [Fact]
    public async Task Of_two_starts_at_once_one_wins()
    {
        var starts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => _store.TryBeginAsync(new SweepRecord($"c{i}", "manual", Now, 1, 1, 0), Now.AddHours(-1), Now.AddMinutes(-10))));
        Assert.Single(starts, s => s is null);
    }
}
