using System.Diagnostics;
using System.Security.Cryptography;
using Azure.Data.Tables;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// A certificate is answered once it is stored and audited; what is derived from it (inventory item, expiry and renewal
/// index entries, pre-signed OCSP response, the issued event) follows beside the answer. Seen by a client that does not
/// wait for the host, as a real one: every row appears, and the lag is measured and printed.
/// </summary>
public sealed class DerivedRowsAfterTheAnswerTests(LifecycleEventsHostFixture host, ITestOutputHelper output) : IClassFixture<LifecycleEventsHostFixture>
{
    /// <summary>A bound for correctness on a loaded 2-core machine, not a speed target (the lag is printed).</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_derived_row_appears_shortly_after_the_answer_and_the_journal_entry_closes()
    {
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Add(KeyAuthenticator.ApiKeyHeader, TestCallers.Admin.Key);

        var issued = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            var answer = await client.IssueAsync(Convert.ToBase64String(Csrs.Ec($"derived-{i}.internal", [$"derived-{i}.internal"])));
            var der = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(answer.GetProperty("certificatePem").GetString()!).RawData;
            return (Serial: answer.GetProperty("serialNumber").GetString()!, Fingerprint: Convert.ToHexStringLower(SHA256.HashData(der)), Answered: Stopwatch.GetTimestamp());
        }));

        var lags = new List<TimeSpan>();
        foreach (var (serial, fingerprint, answered) in issued)
        {
            var waited = Stopwatch.StartNew();
            while (await MissingAsync(serial, fingerprint) is { } missing)
            {
                Assert.True(waited.Elapsed < Bound, $"certificate {serial}: {missing} still missing {Bound.TotalSeconds} s after its answer");
                await Task.Delay(5);
            }

            lags.Add(Stopwatch.GetElapsedTime(answered));
        }

        output.WriteLine($"derived rows complete after the answer: max {lags.Max().TotalMilliseconds:0} ms, median {lags.Order().ElementAt(lags.Count / 2).TotalMilliseconds:0} ms over {lags.Count} concurrent issuances");
    }

    /// <summary>The first derived row not written yet, or null when all are (and the journal entry is closed).</summary>
    private async Task<string?> MissingAsync(string serial, string fingerprint) =>
        !await ExistsAsync(TableNames.Inventory, $"PartitionKey eq '{fingerprint}'") ? "the inventory item"
        : !await ExistsAsync(TableNames.ExpiryIndex, $"RowKey eq '{serial}'") ? "the expiry index entry"
        : !await ExistsAsync(TableNames.RenewalIndex, $"RowKey eq '{serial}'") ? "the renewal index entry"
        : !await ExistsAsync(TableNames.OcspResponses, $"PartitionKey eq '{SerialNumbers.PartitionOf(serial)}' and RowKey eq '{serial}'") ? "the pre-signed OCSP response"
        // Published at once, or (when an older event of its outbox shard is still pending) left in the outbox for the
        // dispatcher's next pass, which keeps each shard's order: either way the event is recorded.
        : !await ExistsAsync(TableNames.EventOutbox, $"Subject eq '{serial}'") && (await host.EventsAboutAsync(serial)).Count == 0 ? "the issued event"
        : await ExistsAsync(TableNames.IssuanceJournal, $"RowKey eq '{serial}'") ? "the journal entry's close"
        : null;

    private async Task<bool> ExistsAsync(string table, string filter)
    {
        var client = new TableClient(TestEnvironment.StorageConnectionString, host.TablePrefix + table);
        try
        {
            await foreach (var _ in client.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["PartitionKey"]))
            {
                return true;
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
        }

        return false;
    }
}
