using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Storage;

/// <summary>Group commit against Azurite's Table service: fewer round trips, and each write keeps its own outcome.</summary>
public sealed class TableBatcherTests
{
    private readonly CountingPolicy _requests = new();
    private readonly TableClient _table;
    private readonly TableBatcher _batcher = new();

    public TableBatcherTests()
    {
        var options = new TableClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        _table = new TableClient(TestEnvironment.StorageConnectionString, TestEnvironment.UniqueId("b"), options);
        _table.CreateIfNotExists();
    }

    private static TableTransactionAction Add(string partition, string row, int value = 0) =>
        new(TableTransactionActionType.Add, new TableEntity(partition, row) { ["Value"] = value });

    [Fact]
    public async Task Concurrent_writes_to_one_partition_share_round_trips_and_all_land()
    {
        _requests.Reset();
        var writes = Enumerable.Range(0, 250).Select(i => _batcher.WriteAsync(_table, Add("p", $"r{i:D3}", i))).ToArray();
        var etags = await Task.WhenAll(writes);

        Assert.All(etags, etag => Assert.NotEqual(default, etag));
        Assert.Equal(250, _table.Query<TableEntity>(e => e.PartitionKey == "p").Count());

        // 250 writes issued at once: the first goes alone, the rest wait for it and go 100 to a transaction.
        Assert.InRange(_requests.Count, 3, 10);
    }

    [Fact]
    public async Task A_refused_write_fails_alone_with_its_own_status_and_the_others_of_its_transaction_land()
    {
        await _table.AddEntityAsync(new TableEntity("p", "taken") { ["Value"] = 1 });
        var stale = (await _table.AddEntityAsync(new TableEntity("p", "changed") { ["Value"] = 1 })).Headers.ETag!.Value;
        await _table.UpdateEntityAsync(new TableEntity("p", "changed") { ["Value"] = 2 }, ETag.All);

        // Hold the partition with a first write so that the rest queue up and go as one transaction.
        var first = _batcher.WriteAsync(_table, Add("p", "first"));
        var good = Enumerable.Range(0, 10).Select(i => _batcher.WriteAsync(_table, Add("p", $"ok{i}"))).ToList();
        var conflict = _batcher.WriteAsync(_table, Add("p", "taken", 99));
        var precondition = _batcher.WriteAsync(_table, new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("p", "changed") { ["Value"] = 3 }, stale));
        var missing = _batcher.WriteAsync(_table, new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity("p", "never-there"), ETag.All));
        good.Add(_batcher.WriteAsync(_table, Add("p", "ok-last")));

        await first;
        await Task.WhenAll(good);
        Assert.Equal(409, (await Assert.ThrowsAsync<RequestFailedException>(() => conflict)).Status);
        Assert.Equal(412, (await Assert.ThrowsAsync<RequestFailedException>(() => precondition)).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<RequestFailedException>(() => missing)).Status);

        Assert.Equal(1, (await _table.GetEntityAsync<TableEntity>("p", "taken")).Value.GetInt32("Value"));
        Assert.Equal(2, (await _table.GetEntityAsync<TableEntity>("p", "changed")).Value.GetInt32("Value"));
        Assert.Equal(11, _table.Query<TableEntity>(e => e.PartitionKey == "p" && e.RowKey.CompareTo("ok") >= 0 && e.RowKey.CompareTo("ol") < 0).Count());
    }

    [Fact]
    public async Task Two_writes_to_one_entity_are_applied_in_order_in_separate_transactions()
    {
        var first = _batcher.WriteAsync(_table, Add("q", "hold"));
        var add = _batcher.WriteAsync(_table, Add("q", "same", 1));
        var replace = _batcher.WriteAsync(_table, new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("q", "same") { ["Value"] = 2 }));
        await Task.WhenAll(first, add, replace);

        Assert.Equal(2, (await _table.GetEntityAsync<TableEntity>("q", "same")).Value.GetInt32("Value"));
    }

    [Fact]
    public async Task Writes_to_different_partitions_do_not_wait_for_each_other_and_a_lost_connection_fails_its_writes()
    {
        // Nothing listens on the discard port: the connection is refused.
        var nowhere = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};TableEndpoint=http://127.0.0.1:9/devstoreaccount1";
        var unreachable = new TableClient(nowhere, "nowhere", new TableClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) } });

        var failing = _batcher.WriteAsync(unreachable, Add("p", "x"));
        var other = _batcher.WriteAsync(_table, Add("elsewhere", "y"));

        await other;
        await Assert.ThrowsAsync<RequestFailedException>(() => failing);
    }

    private sealed class CountingPolicy : HttpPipelinePolicy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Reset() => Interlocked.Exchange(ref _count, 0);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Interlocked.Increment(ref _count);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Interlocked.Increment(ref _count);
            return ProcessNextAsync(message, pipeline);
        }
    }
}
