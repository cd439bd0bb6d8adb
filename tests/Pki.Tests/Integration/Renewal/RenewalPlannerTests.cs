using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Renewal;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Renewal;

/// <summary>The planner against Azurite's Table service, with a recording queue and a fake clock.</summary>
public sealed class RenewalPlannerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly IOptions<PkiOptions> _options;
    private readonly TableStorage _storage;
    private readonly RecordingQueue _queue = new();

    public RenewalPlannerTests()
    {
        _options = Options.Create(new PkiOptions
        {
            Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = TestEnvironment.UniqueId("r") },
        });
        _storage = new TableStorage(_options);
    }

    private RenewalPlanner Planner() => new(new TableRenewalIndex(_storage), _queue, _options, _time, NullLogger<RenewalPlanner>.Instance);

    /// <summary>Issues (in storage only) a certificate of the given lifetime at the fake clock's now.</summary>
    private async Task<string> IssueAsync(TableCertificateStore store, int days)
    {
        var serial = SerialNumbers.ToHex(SerialNumbers.New());
        var now = _time.GetUtcNow();
        var record = new CertificateRecord(serial, "issuing", CertificateStatus.Issuing, ProfileNames.TlsServer, "alice", "CN=a.internal", now, now.AddDays(days), "req", now);
        var reserved = await store.TryReserveAsync(record);
        var issued = record with { Status = CertificateStatus.Issued, CertificateDer = [1], IssuedAt = now };
        Assert.True(await store.TryMarkIssuedAsync(issued, reserved!));
        await store.IndexAsync(issued);
        await new RenewalIndexer(new TableRenewalIndex(_storage), _options).OnIssuedAsync(issued);
        return serial;
    }

    [Fact]
    public async Task The_planner_enqueues_exactly_the_due_certificates_and_a_second_pass_enqueues_nothing()
    {
        var store = new TableCertificateStore(_storage);
        await Planner().PlanAsync(); // sets the cursor to today
        var short1 = await IssueAsync(store, 30); // due after 20 days
        var short2 = await IssueAsync(store, 30);
        var medium = await IssueAsync(store, 45); // due after 30 days
        await IssueAsync(store, 90); // due after 60 days

        _time.Advance(TimeSpan.FromDays(21));
        var first = await Planner().PlanAsync();
        Assert.Equal(new[] { short1, short2 }.Order(), _queue.Serials.Order());
        Assert.Equal(2, first.Enqueued);
        Assert.Equal(0, first.FailedDays);
        Assert.Equal(22, first.DaysRead); // from the cursor day through today, one bucket each

        var again = await Planner().PlanAsync();
        Assert.Equal(0, again.Enqueued);
        Assert.Equal(2, _queue.Serials.Count);
        Assert.Equal(1, again.DaysRead); // the cursor moved to today

        _time.Advance(TimeSpan.FromDays(10));
        await Planner().PlanAsync();
        Assert.Equal(new[] { short1, short2, medium }.Order(), _queue.Serials.Order());
    }

    [Fact]
    public async Task Entries_due_today_are_marked_so_a_second_pass_the_same_day_sends_nothing()
    {
        var store = new TableCertificateStore(_storage);
        await Planner().PlanAsync();
        var serial = await IssueAsync(store, 30); // due 20 days later at 09:00

        _time.SetUtcNow(Start.AddDays(20).AddHours(1));
        Assert.Equal(1, (await Planner().PlanAsync()).Enqueued);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await Planner().PlanAsync()).Enqueued);
        Assert.Equal([serial], _queue.Serials);
    }

    [Fact]
    public async Task Past_days_after_a_failed_day_are_marked_so_the_retry_of_that_day_resends_nothing_else()
    {
        var store = new TableCertificateStore(_storage);
        await Planner().PlanAsync();
        var early = await IssueAsync(store, 30); // due on day 20
        _time.Advance(TimeSpan.FromDays(3));
        var late = await IssueAsync(store, 30); // due on day 23

        // Day 20's bucket cannot be read in the first pass: the cursor stays there, and day 23, read after it, is marked.
        _time.SetUtcNow(Start.AddDays(25));
        var index = new FailingDayIndex(new TableRenewalIndex(_storage), RenewalDays.Of(DateOnly.FromDateTime(Start.AddDays(20).UtcDateTime)));
        var first = await new RenewalPlanner(index, _queue, _options, _time, NullLogger<RenewalPlanner>.Instance).PlanAsync();
        Assert.Equal((1, 1), (first.Enqueued, first.FailedDays));
        Assert.Equal([late], _queue.Serials);

        index.Failing = false;
        var second = await new RenewalPlanner(index, _queue, _options, _time, NullLogger<RenewalPlanner>.Instance).PlanAsync();
        Assert.Equal((1, 0), (second.Enqueued, second.FailedDays));
        Assert.Equal(new[] { early, late }.Order(), _queue.Serials.Order());
    }

    [Fact]
    public async Task The_planner_sends_one_message_per_batch_of_a_days_due_certificates_and_none_per_certificate()
    {
        var index = new TableRenewalIndex(_storage);
        await index.SetCursorAsync(RenewalDays.Of(Start.AddDays(-3)));
        var earlier = Enumerable.Range(0, RenewalBatch.MaxSerials + 1).Select(_ => SerialNumbers.ToHex(SerialNumbers.New())).ToList();
        var later = Enumerable.Range(0, 2).Select(_ => SerialNumbers.ToHex(SerialNumbers.New())).ToList();
        var entries = earlier.Select(s => new RenewalIndexEntry(RenewalDays.Of(Start.AddDays(-2)), s, Start.AddDays(-2)))
            .Concat(later.Select(s => new RenewalIndexEntry(RenewalDays.Of(Start.AddDays(-1)), s, Start.AddDays(-1))));
        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (entry, ct) => await index.UpsertEntityAsync(entry, ct));

        var outcome = await new RenewalPlanner(index, new StorageRenewalQueue(new QueueStorage(_options)), _options, _time, NullLogger<RenewalPlanner>.Instance).PlanAsync();

        // The earlier day fills one batch and starts a second; the later day is a batch of its own.
        Assert.Equal((earlier.Count + later.Count, 3, 0), (outcome.Enqueued, outcome.Batches, outcome.FailedDays));
        var batches = await PeekAsync<RenewalBatch>(QueueNames.RenewalBatches);
        Assert.Equal(3, batches.Count);
        Assert.All(batches, b => Assert.InRange(b.SerialNumbers!.Count, 1, RenewalBatch.MaxSerials));
        Assert.Equal(earlier.Order(), batches.Where(b => b.Day == RenewalDays.Of(Start.AddDays(-2))).SelectMany(b => b.SerialNumbers!).Order());
        Assert.Equal(later.Order(), batches.Single(b => b.Day == RenewalDays.Of(Start.AddDays(-1))).SerialNumbers!.Order());
        Assert.Empty(await PeekAsync<RenewalMessage>(QueueNames.Renewals));
    }

    /// <summary>Up to 32 messages of one of this test's queues, read from JSON; none when the queue does not exist.</summary>
    private async Task<List<T>> PeekAsync<T>(string queue)
    {
        var client = new Azure.Storage.Queues.QueueClient(TestEnvironment.StorageConnectionString, QueueNames.Resolve(_options.Value.Storage.TablePrefix, queue),
            new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 });
        if (!await client.ExistsAsync())
        {
            return [];
        }

        var peeked = await client.PeekMessagesAsync(32);
        return [.. peeked.Value.Select(m => m.Body.ToObjectFromJson<T>(new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!)];
    }

    /// <summary>The table index, whose one day cannot be read while <see cref="Failing"/>.</summary>
    private sealed class FailingDayIndex(IRenewalIndex inner, string failingDay) : IRenewalIndex
    {
        public bool Failing { get; set; } = true;

        public Task UpsertEntityAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default) => inner.UpsertEntityAsync(entry, cancellationToken);

        public IAsyncEnumerable<RenewalIndexEntry> QueryDayAsync(string day, CancellationToken cancellationToken = default) =>
            Failing && day == failingDay ? throw new IOException("The day's partition is unavailable (test).") : inner.QueryDayAsync(day, cancellationToken);

        public Task<bool> TryMarkPlannedAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default) => inner.TryMarkPlannedAsync(entry, cancellationToken);

        public Task<int> MarkPlannedAsync(IReadOnlyList<RenewalIndexEntry> entries, CancellationToken cancellationToken = default) => inner.MarkPlannedAsync(entries, cancellationToken);

        public Task<string?> GetCursorAsync(CancellationToken cancellationToken = default) => inner.GetCursorAsync(cancellationToken);

        public Task SetCursorAsync(string day, CancellationToken cancellationToken = default) => inner.SetCursorAsync(day, cancellationToken);
    }

    /// <summary>Records the serials of the batches the planner sends; the planner never sends single renewals.</summary>
    private sealed class RecordingQueue : IRenewalQueue
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _serials = new();

        public IReadOnlyCollection<string> Serials => _serials;

        public Task SendAsync(RenewalMessage message, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The planner sends batches, not single renewals.");

        public Task SendBatchAsync(RenewalBatch batch, CancellationToken cancellationToken = default)
        {
            foreach (var serial in batch.SerialNumbers!)
            {
                _serials.Enqueue(serial!);
            }

            return Task.CompletedTask;
        }
    }
}
