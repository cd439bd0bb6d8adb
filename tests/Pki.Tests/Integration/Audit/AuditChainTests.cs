using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Errors;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pki.Tests.Integration.Audit;

/// <summary>The chain on Azurite's Table service: appends, races, tampering made directly in the table, and paging.</summary>
public sealed class AuditChainTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
    private readonly string _prefix = TestEnvironment.UniqueId("a");
    private readonly FakeTimeProvider _time = new(Start);

    private TableAuditStore Store() => new(new TableStorage(Options.Create(new PkiOptions
    {
        Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = _prefix },
    })));

    private AuditTrail Trail(TableAuditStore store) => new(store, new CallerContext(), _time, NullLogger<AuditTrail>.Instance);

    private static AuditVerifier Verifier(IAuditStore store) => new(store, NullLogger<AuditVerifier>.Instance);

    private TableClient Table => new(TestEnvironment.StorageConnectionString, _prefix + TableNames.Audit);

    private async Task<TableAuditStore> ChainAsync(int records)
    {
        var store = Store();
        var trail = Trail(store);
        for (var i = 1; i <= records; i++)
        {
            await trail.AppendAsync(AuditEntry.Succeeded(AuditActions.Issue) with { SerialNumber = $"{i:x4}", Detail = $"record {i}" });
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        return store;
    }

    private async Task<TableEntity> RowAsync(long sequence)
    {
        var rows = await Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {TableAuditStore.Partition} and RowKey gt {TableAuditStore.RecordPrefix} and Sequence eq {sequence}")).ToListAsync();
        return Assert.Single(rows);
    }

    [Fact]
    public async Task A_chain_of_many_appends_verifies_and_names_its_head()
    {
        var store = await ChainAsync(60);

        var result = await Verifier(store).VerifyAsync();

        Assert.True(result.Ok, result.Break?.Detail);
        Assert.Equal(60, result.Count);
        Assert.Equal(60, result.HeadSequence);
        Assert.Equal((await RowAsync(60)).GetString("Hash"), result.HeadHash);
        Assert.Null(result.Break);
    }

    [Fact]
    public async Task Concurrent_appends_from_many_tasks_keep_one_unbroken_chain()
    {
        var store = Store();
        var ticking = new TickingClock(Start);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(task => Task.Run(async () =>
        {
            // Each task its own trail, as each Functions instance would have. The clock moves on every reading,
            // so racing appends get different times (different row keys): only the head's ETag keeps them apart.
            var trail = new AuditTrail(store, new CallerContext(), ticking, NullLogger<AuditTrail>.Instance);
            for (var i = 0; i < 25; i++)
            {
                await trail.AppendAsync(AuditEntry.Succeeded(AuditActions.TargetAdd) with { TargetId = $"{task}-{i}" });
            }
        })));
        output.WriteLine($"200 appends from 8 tasks in {clock.ElapsedMilliseconds} ms");

        var result = await Verifier(store).VerifyAsync();
        Assert.True(result.Ok, result.Break?.Detail);
        Assert.Equal(200, result.Count);

        var records = await store.ReadAllAsync().ToListAsync();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), records.Select(r => r.Sequence));
        Assert.Equal(200, records.Select(r => r.TargetId).Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_appends_of_one_instance_share_transactions_and_keep_one_chain()
    {
        var store = new CountingStore(Store());
        var trail = new AuditTrail(store, new CallerContext(), new TickingClock(Start), NullLogger<AuditTrail>.Instance);
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            trail.AppendAsync(AuditEntry.Succeeded(AuditActions.TargetAdd) with { TargetId = $"t{i}", OnceKey = i % 8 == 0 ? "target-add:shared" : null }))));

        // 56 entries without a once key and one of the 8 sharing a key: 57 records, in far fewer transactions.
        Assert.Equal(57, results.Count(r => r is not null));
        output.WriteLine($"64 concurrent appends, {store.Transactions} transactions");
        Assert.InRange(store.Transactions, 2, 16);
        var result = await Verifier(store).VerifyAsync();
        Assert.True(result.Ok, result.Break?.Detail);
        Assert.Equal(57, result.Count);
    }

    [Fact]
    public async Task Racing_appends_of_one_once_key_in_one_instance_record_it_once()
    {
        var store = Store();
        var trail = Trail(store);
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            trail.AppendAsync(AuditEntry.Succeeded(AuditActions.Revoke) with { SerialNumber = "0b", OnceKey = "revoke:0b" }))));

        Assert.Single(results, r => r is not null);
        Assert.Single(await store.ReadAllAsync().ToListAsync());
    }

    /// <summary>The table store, counting the transactions appends submit.</summary>
    private sealed class CountingStore(IAuditStore inner) : IAuditStore
    {
        private int _transactions;

        public int Transactions => _transactions;

        public Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken = default) => inner.GetHeadAsync(cancellationToken);

        public Task<AppendResult> TryAppendAsync(AuditHead? expected, IReadOnlyList<AuditAppend> appends, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _transactions);
            return inner.TryAppendAsync(expected, appends, cancellationToken);
        }

        public Task<IReadOnlySet<string>> RecordedOnceKeysAsync(IReadOnlyCollection<string> onceKeys, CancellationToken cancellationToken = default) =>
            inner.RecordedOnceKeysAsync(onceKeys, cancellationToken);

        public Task<AuditPage> QueryAsync(DateTimeOffset from, DateTimeOffset to, int limit, string? continuationToken, CancellationToken cancellationToken = default) =>
            inner.QueryAsync(from, to, limit, continuationToken, cancellationToken);

        public IAsyncEnumerable<AuditRecord> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);
    }

    [Fact]
    public async Task Racing_appends_of_one_once_key_record_it_once()
    {
        var store = Store();
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            Trail(store).AppendAsync(AuditEntry.Succeeded(AuditActions.Revoke) with { SerialNumber = "0a", OnceKey = "revoke:0a" }))));

        Assert.Single(results, r => r is not null);
        Assert.Single(await store.ReadAllAsync().ToListAsync());
    }

    [Fact]
    public async Task A_changed_field_is_reported_as_altered_at_its_sequence()
    {
        var store = await ChainAsync(10);
        var row = await RowAsync(5);
        row["Outcome"] = AuditOutcomes.Refused;
        await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        var result = await Verifier(store).VerifyAsync();

        Assert.False(result.Ok);
        Assert.Equal((5L, AuditBreak.Altered), (result.Break!.Sequence, result.Break.Problem));
        Assert.Equal(4, result.Count);
    }

    public static TheoryData<string, object> RetypedProperties => new()
    {
        { "Sequence", "5" },
        { "Time", "2026-11-27T08:00:04.000Z" },
        { "Hash", 5L },
        { "Outcome", 1 },
        { "PreviousHash", true },
    };

    [Theory]
    [MemberData(nameof(RetypedProperties))]
    public async Task A_property_stored_with_another_type_is_reported_as_altered_at_its_sequence(string property, object value)
    {
        var store = await ChainAsync(10);
        var row = await RowAsync(5);
        row[property] = value;
        await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        var result = await Verifier(store).VerifyAsync();

        Assert.False(result.Ok);
        Assert.Equal((5L, AuditBreak.Altered), (result.Break!.Sequence, result.Break.Problem));
        Assert.Contains(property, result.Break.Detail);
        Assert.Equal(4, result.Count);
    }

    [Fact]
    public async Task A_head_whose_sequence_is_stored_as_text_is_reported_as_a_head_mismatch()
    {
        var store = await ChainAsync(3);
        var head = (await Table.GetEntityAsync<TableEntity>(TableAuditStore.Partition, TableAuditStore.HeadRow)).Value;
        head["Sequence"] = "3";
        await Table.UpdateEntityAsync(head, head.ETag, TableUpdateMode.Replace);

        var result = await Verifier(store).VerifyAsync();

        Assert.False(result.Ok);
        Assert.Equal((3L, AuditBreak.HeadMismatch), (result.Break!.Sequence, result.Break.Problem));
        Assert.Contains("Sequence", result.Break.Detail);
    }

    [Fact]
    public async Task A_deleted_middle_record_is_reported_missing_at_its_sequence()
    {
        var store = await ChainAsync(10);
        var row = await RowAsync(5);
        await Table.DeleteEntityAsync(row.PartitionKey, row.RowKey);

        var result = await Verifier(store).VerifyAsync();

        Assert.Equal((5L, AuditBreak.Missing), (result.Break!.Sequence, result.Break.Problem));
    }

    [Fact]
    public async Task A_record_rewritten_with_a_fresh_hash_breaks_the_link_of_the_next()
    {
        var store = await ChainAsync(10);
        var row = await RowAsync(5);
        row["ActorId"] = "someone-else";
        var stored = (await store.ReadAllAsync().ToListAsync()).Single(r => r.Sequence == 5);
        row["Hash"] = AuditHash.Compute(stored with { Actor = stored.Actor with { Id = "someone-else" } });
        await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        var result = await Verifier(store).VerifyAsync();

        Assert.Equal((6L, AuditBreak.BrokenLink), (result.Break!.Sequence, result.Break.Problem));
        Assert.Contains("record 5", result.Break.Detail);
        Assert.Equal(5, result.Count);
    }

    [Fact]
    public async Task A_deleted_last_record_is_caught_against_the_head()
    {
        var store = await ChainAsync(10);
        var row = await RowAsync(10);
        await Table.DeleteEntityAsync(row.PartitionKey, row.RowKey);

        var result = await Verifier(store).VerifyAsync();

        Assert.Equal((10L, AuditBreak.Missing), (result.Break!.Sequence, result.Break.Problem));
    }

    [Fact]
    public async Task A_deleted_head_is_reported()
    {
        var store = await ChainAsync(3);
        await Table.DeleteEntityAsync(TableAuditStore.Partition, TableAuditStore.HeadRow);

        var result = await Verifier(store).VerifyAsync();

        Assert.Equal((1L, AuditBreak.HeadMismatch), (result.Break!.Sequence, result.Break.Problem));
    }

    [Fact]
    public async Task An_empty_trail_verifies()
    {
        var result = await Verifier(Store()).VerifyAsync();
        Assert.True(result.Ok);
        Assert.Equal((0L, AuditRecord.GenesisHash), (result.Count, result.HeadHash));
    }

    [Fact]
    public async Task Paging_by_time_range_returns_exactly_the_records_in_range_in_order()
    {
        var store = Store();
        var trail = Trail(store);
        for (var i = 1; i <= 30; i++)
        {
            await trail.AppendAsync(AuditEntry.Succeeded(AuditActions.OwnerSet) with { Detail = $"minute {i - 1}" });
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        // Minutes 5 to 19: from is inclusive, to exclusive.
        var from = Start.AddMinutes(5).ToString("O");
        var to = Start.AddMinutes(20).ToString("O");
        var seen = new List<AuditRecord>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await trail.ListAsync(from, to, "4", token);
            Assert.True(page.Records.Count <= 4);
            seen.AddRange(page.Records);
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 20);

        Assert.Equal(Enumerable.Range(6, 15).Select(i => (long)i), seen.Select(r => r.Sequence));
        Assert.All(seen, r => Assert.InRange(r.Time, Start.AddMinutes(5), Start.AddMinutes(19)));
        Assert.Equal(4, pages);

        // Everything, by default.
        Assert.Equal(30, (await trail.ListAsync(null, null, null, null)).Records.Count);
    }

    [Fact]
    public async Task A_token_cannot_take_a_page_outside_its_range_and_a_forged_one_is_refused()
    {
        var store = Store();
        var trail = Trail(store);
        for (var i = 0; i < 10; i++)
        {
            await trail.AppendAsync(AuditEntry.Succeeded(AuditActions.SweepStart));
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        // A genuine token from a wide query, replayed against a narrow range, still yields only that range.
        var wide = await trail.ListAsync(null, null, "1", null);
        var narrow = await trail.ListAsync(Start.AddMinutes(3).ToString("O"), Start.AddMinutes(5).ToString("O"), "10", wide.ContinuationToken);
        Assert.Equal([4L, 5L], narrow.Records.Select(r => r.Sequence));

        foreach (var forged in new[] { "not-a-token", Convert.ToBase64String("aud1 head"u8.ToArray()), System.Buffers.Text.Base64Url.EncodeToString("aud1 once-00"u8), new string('A', 2000) })
        {
            var problem = await Assert.ThrowsAsync<ProblemException>(() => trail.ListAsync(null, null, null, forged));
            Assert.Equal("invalid-continuation-token", problem.Type);
        }
    }

    [Theory]
    [MemberData(nameof(RetypedProperties))]
    public async Task Listing_answers_the_readable_records_and_names_a_retyped_one_in_place_of_failing(string property, object value)
    {
        var store = await ChainAsync(7);
        var row = await RowAsync(4);
        row[property] = value;
        await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        var trail = Trail(store);

        var all = await trail.ListAsync(null, null, null, null);
        Assert.Equal([1L, 2L, 3L, 5L, 6L, 7L], all.Records.Select(r => r.Sequence));
        var unreadable = Assert.Single(all.Unreadable!);
        Assert.Equal(4, unreadable.Sequence);
        Assert.Contains(property, unreadable.Detail);

        // Paged across it: the unreadable row takes its place in a page, and the next page goes on after it.
        var sequences = new List<long>();
        var pages = new List<int>();
        string? token = null;
        do
        {
            var page = await trail.ListAsync(null, null, "2", token);
            sequences.AddRange(page.Records.Select(r => r.Sequence).Concat(page.Unreadable?.Select(u => u.Sequence!.Value) ?? []));
            pages.Add(page.Records.Count + (page.Unreadable?.Count ?? 0));
            token = page.ContinuationToken;
        }
        while (token is not null && pages.Count < 10);

        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), sequences.Order());
        Assert.All(pages.SkipLast(1), size => Assert.Equal(2, size));
    }

    /// <summary>A clock that moves a millisecond at every reading, from any thread.</summary>
    private sealed class TickingClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Add(ref _ticks, TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }
}
