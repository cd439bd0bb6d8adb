using System.Collections.Concurrent;
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
/// full-table scan that finds the same due entries, in the same run: time, storage transactions, ratio. Then the
/// consumer's side, apart from the pass: the batches it sent fanned out into one renewals message per certificate.
/// Started by `local/bench renewal [--estate 1000000] [--due-percent 1] [--days 365]` on an in-memory Azurite.
/// </summary>
internal static class RenewalBench
{
    private const int PageSize = 1000; // Table Storage's largest query page
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web); // as QueueStorage sends

    public static async Task<int> RunAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var estate = int.Parse(Arg(args, "estate") ?? "1000000", inv);
        var duePercent = double.Parse(Arg(args, "due-percent") ?? "1", inv);
        var horizon = int.Parse(Arg(args, "days") ?? "365", inv);
        var seedParallelism = int.Parse(Arg(args, "seed-parallelism") ?? "8", inv);
        var connection = Environment.GetEnvironmentVariable("PKI_BENCH_STORAGE") ?? throw new ArgumentException("PKI_BENCH_STORAGE is required");
        var options = Options.Create(new PkiOptions { Storage = { ConnectionString = connection, TablePrefix = "rb" + Guid.NewGuid().ToString("N")[..8] } });
        using var requests = new RequestCounter();
        var storage = new TableStorage(options);
        var table = await storage.GetTableAsync(TableNames.RenewalIndex);
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var due = (int)(estate * duePercent / 100);
        Console.WriteLine($"bench renewal: {estate:N0} index entries over {horizon} future days, {due:N0} due ({duePercent.ToString(inv)}%) in the 3 days up to yesterday; Azurite in memory");
        var emptyQueryBefore = await EmptyPartitionQueryAsync(table);

        // Seeding writes the product's entity (TableRenewalIndex.ToEntity, as issuance upserts it) in entity group
        // transactions of 100 inserts into one day, several at once (inserts, not upserts: the table is new, and Azurite
        // looks each upserted row up twice). Days ascend and serials (32 hex digits, as issued) ascend with them: Azurite
        // keeps each table in LokiJS with sorted indices on PartitionKey and RowKey, and a row that sorts last is appended,
        // while one in the middle shifts the index arrays (random serials would make seeding quadratic).
        var batches = SeedBatches(estate, due, horizon, today, now).ToList();
        var seed = Stopwatch.StartNew();
        var written = 0;
        var last = (Written: 0, At: TimeSpan.Zero);
        using (var progress = new Timer(_ => last = SeedProgress(Volatile.Read(ref written), estate, seed.Elapsed, last), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)))
        {
            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = seedParallelism }, async (batch, ct) =>
            {
                var actions = Enumerable.Range(0, batch.Count).Select(i => new TableTransactionAction(TableTransactionActionType.Add,
                    TableRenewalIndex.ToEntity(new RenewalIndexEntry(RenewalDays.Of(batch.Day), Serial(batch.FirstSerial + i), batch.DueAt))));
                await table.SubmitTransactionAsync(actions, ct);
                Interlocked.Add(ref written, batch.Count);
            });
        }

        seed.Stop();
        var index = new TableRenewalIndex(storage);
        await index.SetCursorAsync(RenewalDays.Of(today.AddDays(-3)));
        Console.WriteLine($"seeded {written:N0} entries in {seed.Elapsed.TotalSeconds:F1} s ({written / seed.Elapsed.TotalSeconds:N0} rows/s, {batches.Count:N0} batches of up to {TableRenewalIndex.MaxBatch}, {seedParallelism} at once)");

        // Azurite answers every query by filtering its whole table in JavaScript (Table Storage serves a partition from
        // its index), so even a query of an empty partition costs time in proportion to the estate here.
        var emptyQueryAfter = await EmptyPartitionQueryAsync(table);
        Console.WriteLine($"Azurite's cost of one query of an empty partition: {emptyQueryBefore * 1000:F1} ms on an empty table, {emptyQueryAfter * 1000:F1} ms at {estate:N0} rows");

        // The full-table scan first (it reads, the pass writes): every entry read, the due ones picked out. (A server-side
        // filter returns fewer pages, but the service still reads every entity, and Azure cuts such a query into
        // continuations at 5 s; reading all is what a planner without the day buckets costs.) It reads the key space in
        // ranges of 30 due days, one after the other: Azurite sorts every row after the continuation point for each page,
        // so one unbroken scan of a million rows would take it half an hour; Table Storage pages through its index.
        var beforeScan = requests.Snapshot();
        var scan = Stopwatch.StartNew();
        int scanPages = 0, scanFound = 0;
        foreach (var (from, to) in ScanRanges(today.AddDays(-3), today.AddDays(horizon + 1), 30))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {from} and PartitionKey lt {to}");
            await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: PageSize, select: ["PartitionKey", "RowKey", "DueAt", "Planned"]).AsPages())
            {
                scanPages++;
                scanFound += page.Values.Count(e => e.GetDateTimeOffset("DueAt") <= now && e.GetBoolean("Planned") != true);
                if (scanPages % 100 == 0)
                {
                    Console.Error.WriteLine($"  scan: {scanPages} pages, {scan.Elapsed.TotalSeconds:F0} s");
                }
            }
        }

        scan.Stop();
        var scanRequests = RequestCounter.Since(beforeScan, requests.Snapshot());

        // One planning pass: the real planner, the real index and the real renewals queue on Azurite; the seams time its parts.
        var counting = new CountingIndex(index);
        var queues = new QueueStorage(options);
        var queue = new CountingQueue(new StorageRenewalQueue(queues));
        await queues.GetQueueAsync(QueueNames.RenewalBatches); // created before timing
        await queues.GetQueueAsync(QueueNames.Renewals);
        var beforePass = requests.Snapshot();
        var pass = Stopwatch.StartNew();
        var outcome = await new RenewalPlanner(counting, queue, options, TimeProvider.System, NullLogger<RenewalPlanner>.Instance).PlanAsync();
        pass.Stop();
        var passRequests = RequestCounter.Since(beforePass, requests.Snapshot());
        var sendTime = pass.Elapsed - counting.QueryTime - counting.MarkTime - counting.CursorTime;

        var passTotal = passRequests.Values.Sum();
        var passReads = Count(passRequests, "table query");
        var scanReads = Count(scanRequests, "table query");
        Console.WriteLine($"planning pass: {pass.Elapsed.TotalSeconds:F2} s, {outcome.Enqueued:N0} enqueued from {outcome.DaysRead} day buckets, {passTotal:N0} storage transactions ({Describe(passRequests)})");
        Console.WriteLine($"  of which reading the due buckets {counting.QueryTime.TotalSeconds:F2} s ({passReads} query pages), sending {queue.Batches:N0} batch messages of up to {RenewalBatch.MaxSerials} certificates ({queue.Serials:N0} in all) {sendTime.TotalSeconds:F2} s " +
            $"({RenewalPlanner.Parallelism} at once), marking them planned {counting.MarkTime.TotalSeconds:F2} s ({Count(passRequests, "table batch")} batches), cursor {counting.CursorTime.TotalSeconds:F2} s");
        Console.WriteLine($"  transactions per due certificate: {(double)passTotal / Math.Max(1, outcome.Enqueued):F3} (a message per {RenewalBatch.MaxSerials} of one day, a query page per 1000, and a mark batch per 100 only on days the next pass reads again)");
        Console.WriteLine($"full-table scan: {scan.Elapsed.TotalSeconds:F2} s, {scanFound:N0} due found, {scanReads:N0} query pages of up to {PageSize} ({Describe(scanRequests)}), every one of the {estate:N0} entries read in ranges of 30 days");
        Console.WriteLine($"ratio scan/pass: time {scan.Elapsed.TotalSeconds / pass.Elapsed.TotalSeconds:F1}x (scan against reading the due buckets: {scan.Elapsed.TotalSeconds / counting.QueryTime.TotalSeconds:F0}x); " +
            $"read transactions {scanReads:N0} vs {passReads} ({(double)scanReads / Math.Max(1, passReads):F0}x); all transactions {scanReads:N0} vs {passTotal:N0} ({(double)scanReads / Math.Max(1, passTotal):F2}x)");
        // The consumer's side, not part of the pass: what FanOutRenewals does with each batch, one batch after another
        // (the Functions host takes up to 16 at once per instance and scales out on queue length).
        var fanOut = new RenewalFanOut(queue, new TableCertificateStore(storage), NullLogger<RenewalFanOut>.Instance);
        var batchQueue = await queues.GetQueueAsync(QueueNames.RenewalBatches);
        var beforeFanOut = requests.Snapshot();
        var fanning = Stopwatch.StartNew();
        int fanned = 0, taken = 0;
        while ((await batchQueue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } received)
        {
            foreach (var message in received)
            {
                fanned += await fanOut.FanOutAsync(message.Body.ToObjectFromJson<RenewalBatch>(Json)!, message.DequeueCount);
                await batchQueue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                taken++;
            }
        }

        fanning.Stop();
        var fanOutRequests = RequestCounter.Since(beforeFanOut, requests.Snapshot());
        Console.WriteLine($"fan-out (the consumer, apart from the pass): {taken:N0} batch messages into {fanned:N0} renewals messages in {fanning.Elapsed.TotalSeconds:F2} s " +
            $"({fanned / fanning.Elapsed.TotalSeconds:N0}/s, {RenewalFanOut.Parallelism} at once per batch, one batch at a time; {Describe(fanOutRequests)})");
        await table.DeleteAsync();
        return outcome.Enqueued == due && fanned == due && scanFound == due ? 0 : 1;
    }

    /// <summary>Batches in seeding order: the due share over the three days up to yesterday, the rest over the next days.</summary>
    private static IEnumerable<(DateOnly Day, DateTimeOffset DueAt, long FirstSerial, int Count)> SeedBatches(int estate, int due, int horizon, DateOnly today, DateTimeOffset now)
    {
        long serial = 0;
        var days = Enumerable.Range(0, 3).Select(k => (Offset: k - 3, Rows: Share(due, 3, k)))
            .Concat(Enumerable.Range(0, horizon).Select(k => (Offset: k + 1, Rows: Share(estate - due, horizon, k))));
        foreach (var (offset, rows) in days)
        {
            for (var done = 0; done < rows; done += TableRenewalIndex.MaxBatch)
            {
                var count = Math.Min(TableRenewalIndex.MaxBatch, rows - done);
                yield return (today.AddDays(offset), now.AddDays(offset), serial, count);
                serial += count;
            }
        }
    }

    /// <summary>Day-name ranges [from, to) of <paramref name="width"/> days covering [first, end).</summary>
    private static IEnumerable<(string From, string To)> ScanRanges(DateOnly first, DateOnly end, int width)
    {
        for (var day = first; day < end; day = day.AddDays(width))
        {
            yield return (RenewalDays.Of(day), RenewalDays.Of(day.AddDays(width) < end ? day.AddDays(width) : end));
        }
    }

    private static int Share(int total, int parts, int k) => total / parts + (k < total % parts ? 1 : 0);

    /// <summary>32 lowercase hex digits with a non-zero first digit, like an issued serial, ascending with n.</summary>
    private static string Serial(long n) => "1" + n.ToString("x31", CultureInfo.InvariantCulture);

    private static (int Written, TimeSpan At) SeedProgress(int written, int estate, TimeSpan elapsed, (int Written, TimeSpan At) last)
    {
        var rate = written / Math.Max(0.001, elapsed.TotalSeconds);
        var recent = (written - last.Written) / Math.Max(0.001, (elapsed - last.At).TotalSeconds);
        var eta = recent > 0 ? TimeSpan.FromSeconds((estate - written) / recent) : TimeSpan.Zero;
        Console.Error.WriteLine($"  seeding: {written:N0}/{estate:N0} ({100.0 * written / estate:F0}%) in {elapsed.TotalSeconds:F0} s, {rate:N0} rows/s ({recent:N0}/s lately), ETA {eta:m\\:ss}");
        return (written, elapsed);
    }

    /// <summary>The mean of three queries of an empty partition, after one unmeasured (connection, JIT).</summary>
    private static async Task<double> EmptyPartitionQueryAsync(TableClient table)
    {
        var sw = new Stopwatch();
        for (var i = 0; i < 4; i++)
        {
            if (i == 1)
            {
                sw.Start();
            }

            await foreach (var _ in table.QueryAsync<TableEntity>(e => e.PartitionKey == "00000000"))
            {
            }
        }

        return sw.Elapsed.TotalSeconds / 3;
    }

    private static int Count(IReadOnlyDictionary<string, int> counts, string kind) => counts.GetValueOrDefault(kind);

    private static string Describe(IReadOnlyDictionary<string, int> counts) =>
        string.Join(", ", counts.Where(c => c.Value > 0).OrderByDescending(c => c.Value).Select(c => $"{c.Value:N0} {c.Key}"));

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>
    /// Counts the HTTP requests this process sends to storage (each one a billed storage transaction), by kind, from
    /// the HttpClient's own activities: what the SDK really sent, continuation pages and retries included.
    /// </summary>
    private sealed class RequestCounter : IDisposable
    {
        private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
        private readonly ActivityListener _listener;

        public RequestCounter()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "System.Net.Http",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity => _counts.AddOrUpdate(Kind(activity), 1, (_, n) => n + 1),
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public Dictionary<string, int> Snapshot() => new(_counts, StringComparer.Ordinal);

        public static Dictionary<string, int> Since(Dictionary<string, int> before, Dictionary<string, int> after) =>
            after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key), StringComparer.Ordinal);

        public void Dispose() => _listener.Dispose();

        private static string Kind(Activity activity)
        {
            var method = activity.GetTagItem("http.request.method") as string ?? "?";
            var url = activity.GetTagItem("url.full") as string ?? string.Empty;
            var path = url.Split('?')[0];
            return (method, path) switch
            {
                ("POST", _) when path.EndsWith("/$batch", StringComparison.Ordinal) => "table batch",
                ("POST", _) when path.EndsWith("/messages", StringComparison.Ordinal) => "queue send",
                ("GET", _) when path.Contains("PartitionKey=", StringComparison.Ordinal) => "table point read",
                ("GET", _) when path.EndsWith("()", StringComparison.Ordinal) => "table query",
                ("PUT" or "PATCH" or "MERGE" or "DELETE", _) when path.Contains("PartitionKey=", StringComparison.Ordinal) => "table entity write",
                _ => $"other {method}",
            };
        }
    }

    private sealed class CountingIndex(IRenewalIndex inner) : IRenewalIndex
    {
        public TimeSpan QueryTime { get; private set; }

        public TimeSpan MarkTime { get; private set; }

        public TimeSpan CursorTime { get; private set; }

        public Task UpsertEntityAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default) => inner.UpsertEntityAsync(entry, cancellationToken);

        public async IAsyncEnumerable<RenewalIndexEntry> QueryDayAsync(string day, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var sw = Stopwatch.StartNew();
            await foreach (var entry in inner.QueryDayAsync(day, cancellationToken))
            {
                sw.Stop();
                yield return entry;
                sw.Start();
            }

            QueryTime += sw.Elapsed;
        }

        public Task<bool> TryMarkPlannedAsync(RenewalIndexEntry entry, CancellationToken cancellationToken = default) => inner.TryMarkPlannedAsync(entry, cancellationToken);

        public async Task<int> MarkPlannedAsync(IReadOnlyList<RenewalIndexEntry> entries, CancellationToken cancellationToken = default)
        {
            var sw = Stopwatch.StartNew();
            var marked = await inner.MarkPlannedAsync(entries, cancellationToken);
            MarkTime += sw.Elapsed;
            return marked;
        }

        public async Task<string?> GetCursorAsync(CancellationToken cancellationToken = default)
        {
            var sw = Stopwatch.StartNew();
            var cursor = await inner.GetCursorAsync(cancellationToken);
            CursorTime += sw.Elapsed;
            return cursor;
        }

        public async Task SetCursorAsync(string day, CancellationToken cancellationToken = default)
        {
            var sw = Stopwatch.StartNew();
            await inner.SetCursorAsync(day, cancellationToken);
            CursorTime += sw.Elapsed;
        }
    }

    private sealed class CountingQueue(IRenewalQueue inner) : IRenewalQueue
    {
        private int _batches;
        private int _serials;

        public int Batches => _batches;

        public int Serials => _serials;

        public Task SendAsync(RenewalMessage message, CancellationToken cancellationToken = default) => inner.SendAsync(message, cancellationToken);

        public Task SendBatchAsync(RenewalBatch batch, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _serials, batch.SerialNumbers?.Count ?? 0);
            return inner.SendBatchAsync(batch, cancellationToken);
        }
    }
}
