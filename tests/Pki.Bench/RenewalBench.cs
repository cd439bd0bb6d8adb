using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Renewal;
using Pki.Core.Storage;

/// <summary>
/// One renewal planning pass over an estate of N renewal-index entries of which a share is due, beside a
/// full-table scan that finds the same due entries, in the same run: time, storage transactions, ratio.
/// Started by `local/bench renewal [--estate 1000000] [--due-percent 1]` on Azurite.
/// </summary>
internal static class RenewalBench
{
    private const int BatchSize = 100; // entity group transactions: one partition, at most 100 actions
    private const int PageSize = 1000; // Table Storage's largest query page

    public static async Task<int> RunAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var estate = int.Parse(Arg(args, "estate") ?? "1000000", inv);
        var duePercent = double.Parse(Arg(args, "due-percent") ?? "1", inv);
        var connection = Environment.GetEnvironmentVariable("PKI_BENCH_STORAGE") ?? throw new ArgumentException("PKI_BENCH_STORAGE is required");
        var options = Options.Create(new PkiOptions { Storage = { ConnectionString = connection, TablePrefix = "rb" + Guid.NewGuid().ToString("N")[..8] } });
        var storage = new TableStorage(options);
        var table = await storage.GetTableAsync(TableNames.RenewalIndex);
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var due = (int)(estate * duePercent / 100);
        Console.WriteLine($"bench renewal: {estate} index entries, {due} due ({duePercent.ToString(inv)}%), Azurite");

        // Due entries in the three days up to yesterday, the rest over the next 120 days.
        var seed = Stopwatch.StartNew();
        var rows = Enumerable.Range(0, estate).Select(i => i < due
            ? (Day: today.AddDays(-1 - (i % 3)), DueAt: now.AddDays(-1 - (i % 3)))
            : (Day: today.AddDays(1 + (i % 120)), DueAt: now.AddDays(1 + (i % 120))));
        var batches = rows.Select((r, i) => (r.Day, r.DueAt, Serial: i.ToString("x16", inv)))
            .GroupBy(r => r.Day)
            .SelectMany(g => g.Chunk(BatchSize))
            .ToList();
        var written = 0;
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (batch, ct) =>
        {
            var actions = batch.Select(r => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(RenewalDays.Of(r.Day), r.Serial)
            {
                ["DueAt"] = r.DueAt,
                ["Planned"] = false,
            }));
            await table.SubmitTransactionAsync(actions, ct);
            if (Interlocked.Add(ref written, batch.Length) % 100_000 < batch.Length)
            {
                Console.Error.WriteLine($"  {written}/{estate} seeded ({seed.Elapsed.TotalSeconds:F0} s)");
            }
        });
        var index = new TableRenewalIndex(storage);
        await index.SetCursorAsync(RenewalDays.Of(today.AddDays(-3)));
        Console.WriteLine($"seeded in {seed.Elapsed.TotalSeconds:F1} s");

        // The full-table scan first (it reads, the pass writes): every entry read, the due ones picked out. (A server-side
        // filter returns fewer pages, but the service still reads every entity, and Azure cuts such a query into
        // continuations at 5 s; reading all is what a planner without the day buckets costs.)
        var scan = Stopwatch.StartNew();
        int scanPages = 0, scanFound = 0;
        await foreach (var page in table.QueryAsync<TableEntity>(maxPerPage: PageSize, select: ["PartitionKey", "RowKey", "DueAt", "Planned"]).AsPages())
        {
            scanPages++;
            scanFound += page.Values.Count(e => e.PartitionKey != TableRenewalIndex.CursorPartition && e.GetDateTimeOffset("DueAt") <= now && e.GetBoolean("Planned") != true);
        }

        scan.Stop();

        // One planning pass through the real index and the real renewals queue, counting its storage transactions.
        var counting = new CountingIndex(index);
        var queue = new CountingQueue(new StorageRenewalQueue(new QueueStorage(options)));
        await new QueueStorage(options).GetQueueAsync(QueueNames.Renewals); // created before timing
        var pass = Stopwatch.StartNew();
        var outcome = await new RenewalPlanner(counting, queue, options, TimeProvider.System, NullLogger<RenewalPlanner>.Instance).PlanAsync();
        pass.Stop();
        var passTransactions = counting.Transactions + queue.Sent;

        Console.WriteLine($"planning pass: {pass.Elapsed.TotalSeconds:F2} s, {outcome.Enqueued} enqueued from {outcome.DaysRead} day buckets, {passTransactions} storage transactions " +
            $"({counting.QueryPages} query pages, {counting.Marks} planned-mark batches, {queue.Sent} queue messages, {counting.CursorOps} cursor); of which reading the buckets {counting.QueryTime.TotalSeconds:F2} s");
        Console.WriteLine($"full-table scan: {scan.Elapsed.TotalSeconds:F2} s, {scanFound} due found, {scanPages} query pages (transactions), reading all {estate} entries server-side");
        Console.WriteLine($"ratio scan/pass: time {scan.Elapsed.TotalSeconds / pass.Elapsed.TotalSeconds:F1}x; read transactions {scanPages} vs {counting.QueryPages} ({(double)scanPages / Math.Max(1, counting.QueryPages):F1}x); the pass's writes are 2 per due certificate");
        await table.DeleteAsync();
        return outcome.Enqueued == due && scanFound == due ? 0 : 1;
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private sealed class CountingIndex(IRenewalIndex inner) : IRenewalIndex
    {
        private int _marks;

        public int QueryPages { get; private set; }

        public TimeSpan QueryTime { get; private set; }

        public int Marks => _marks;

        public int CursorOps { get; private set; }

        public int Transactions => QueryPages + Marks + CursorOps;

        public Task UpsertEntityAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default) => inner.UpsertEntityAsync(entry, cancellationToken);

        public async IAsyncEnumerable<RenewalIndexEntry> QueryDayAsync(string day, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var count = 0;
            var sw = Stopwatch.StartNew();
            await foreach (var entry in inner.QueryDayAsync(day, cancellationToken))
            {
                count++;
                sw.Stop();
                yield return entry;
                sw.Start();
            }

            QueryTime += sw.Elapsed;

            QueryPages += Math.Max(1, (count + PageSize - 1) / PageSize); // one transaction per page of up to 1000
        }

        public Task<bool> TryMarkPlannedAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _marks);
            return inner.TryMarkPlannedAsync(entry, cancellationToken);
        }

        public Task<int> MarkPlannedAsync(IReadOnlyList<RenewalIndexEntry> entries, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _marks, entries.GroupBy(e => e.Day).Sum(g => (g.Count() + TableRenewalIndex.MaxBatch - 1) / TableRenewalIndex.MaxBatch));
            return inner.MarkPlannedAsync(entries, cancellationToken);
        }

        public Task<string?> GetCursorAsync(CancellationToken cancellationToken = default)
        {
            CursorOps++;
            return inner.GetCursorAsync(cancellationToken);
        }

        public Task SetCursorAsync(string day, CancellationToken cancellationToken = default)
        {
            CursorOps++;
            return inner.SetCursorAsync(day, cancellationToken);
        }
    }

    private sealed class CountingQueue(IRenewalQueue inner) : IRenewalQueue
    {
        private int _sent;

        public int Sent => _sent;

        public Task SendAsync(RenewalMessage message, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _sent);
            return inner.SendAsync(message, cancellationToken);
        }
    }
}
