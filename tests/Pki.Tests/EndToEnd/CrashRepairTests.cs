using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Azure.Data.Tables;
using Pki.Core.Authority;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// kill -9 of a dev host in the middle of a load, then a restart: every certificate that reached storage ends up with
/// everything derived from it (inventory item, pre-signed OCSP response, expiry index entry, audit record), every
/// reservation is resolved (issued, or recorded as never issued), and every certificate answered 201 is issued.
/// </summary>
[Collection(TokenExclusiveCollection.Name)]
public sealed class CrashRepairTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Workers = 8;
    private const int AnsweredBeforeKill = 24;
    private readonly string _prefix = TestEnvironment.UniqueId("k");
    private readonly string _rootId = TestEnvironment.UniqueId("root-");
    private readonly string _issuingId = TestEnvironment.UniqueId("issuing-");
    private readonly List<DevHostProcess> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task After_a_kill_in_the_middle_of_a_load_the_repair_pass_completes_every_certificate_and_resolves_every_reservation()
    {
        var first = await StartAsync();
        var answered = new ConcurrentBag<string>();
        var load = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                try
                {
                    using var response = await first.Client.RequestAsync(Convert.ToBase64String(Csrs.Ec($"crash-{w}-{i}.internal", [$"crash-{w}-{i}.internal"])));
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        answered.Add((await response.JsonAsync()).GetProperty("serialNumber").GetString()!);
                    }
                }
                catch (HttpRequestException)
                {
                    return; // the host is gone
                }
            }
        })).ToArray();

        var deadline = Stopwatch.StartNew();
        while (answered.Count < AnsweredBeforeKill && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(10);
        }

        await first.KillAsync();
        await Task.WhenAll(load);
        Assert.True(answered.Count >= AnsweredBeforeKill, "the load never got going:\n" + string.Join('\n', first.Errors()));
        var before = await ReadCertificatesAsync();

        var second = await StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // past AbandonAfterSeconds, so the killed host's reservations may be given up

        // The timer's occurrences, run by hand every few seconds until the journal is empty.
        var repairTime = Stopwatch.StartNew();
        for (var pass = 0; await OpenJournalEntriesAsync() > 0; pass++)
        {
            Assert.True(repairTime.Elapsed < TimeSpan.FromSeconds(60), "the repair pass left journal entries open:\n" + string.Join('\n', second.Errors()));
            if (pass % 50 == 0)
            {
                using var run = await second.Client.PostAsync("/admin/functions/RepairIssuance", new StringContent("{\"input\":\"\"}", System.Text.Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
            }

            await Task.Delay(100);
        }

        var after = await ReadCertificatesAsync();
        Assert.DoesNotContain(after.Values, r => r.Status == "Issuing");
        Assert.All(answered, serial => Assert.Equal("Issued", after[serial].Status));

        var audit = await second.Client.GetStringAsync("/api/audit?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&limit=1000");
        var issued = after.Where(p => p.Value.Status == "Issued").ToList();
        foreach (var (serial, record) in issued)
        {
            using var item = await second.Client.GetAsync("/api/inventory/" + Convert.ToHexStringLower(SHA256.HashData(record.Der!)));
            Assert.True(item.StatusCode == HttpStatusCode.OK, $"certificate {serial} has no inventory item");
            Assert.True(await HasRowAsync(TableNames.OcspResponses, SerialNumbers.PartitionOf(serial), serial), $"certificate {serial} has no pre-signed OCSP response");
            Assert.True(await HasRowAsync(TableNames.ExpiryIndex, record.ExpiryDay, serial), $"certificate {serial} is not in the expiry index");
            Assert.Contains($"\"serialNumber\":\"{serial}\"", audit, StringComparison.Ordinal);
        }

        var verify = await (await second.Client.GetAsync("/api/audit/verify")).JsonAsync();
        Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());

        var stranded = before.Count(p => p.Value.Status == "Issuing");
        var unanswered = issued.Count(p => !answered.Contains(p.Key));
        output.WriteLine($"answered 201: {answered.Count}; stored before the restart: {before.Count} ({stranded} reservations in flight); "
            + $"after repair: {issued.Count} issued ({unanswered} never answered), {after.Count(p => p.Value.Status == "Abandoned")} abandoned; "
            + $"repair pass done {repairTime.Elapsed.TotalSeconds:0.0} s after it was started");
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    private async Task<DevHostProcess> StartAsync()
    {
        var host = DevHostProcess.Start(DevHostProcess.Args(_prefix, _rootId, _issuingId, "--Pki:Ca:RepairSettleSeconds=1", "--Pki:Ca:AbandonAfterSeconds=2"));
        _hosts.Add(host);
        await host.WaitUntilListeningAsync();
        return host;
    }

    private TableClient Table(string name) => new(TestEnvironment.StorageConnectionString, _prefix + name);

    /// <summary>Every certificate record of this test's tables (a scan, fine for a test).</summary>
    private async Task<Dictionary<string, (string Status, byte[]? Der, string ExpiryDay)>> ReadCertificatesAsync()
    {
        var records = new Dictionary<string, (string, byte[]?, string)>(StringComparer.Ordinal);
        await foreach (var e in Table(TableNames.Certificates).QueryAsync<TableEntity>())
        {
            if (e.GetString("Profile") == "tls-server")
            {
                records[e.RowKey] = (e.GetString("Status"), e.GetBinary("CertificateDer"), TableCertificateStore.ExpiryPartition(e.GetDateTimeOffset("NotAfter")!.Value));
            }
        }

        return records;
    }

    private async Task<int> OpenJournalEntriesAsync()
    {
        var count = 0;
        await foreach (var e in Table(TableNames.IssuanceJournal).QueryAsync<TableEntity>(x => x.PartitionKey != "cursor"))
        {
            count++;
        }

        return count;
    }

    private async Task<bool> HasRowAsync(string table, string partitionKey, string rowKey) =>
        (await Table(table).GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey)).HasValue;
}
