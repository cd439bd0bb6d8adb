using System.Net;
using Azure.Data.Tables;
using Pki.Core.Audit;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>Verification through the dev host after the audit table was changed behind the service's back (a host of its own: its chain is broken on purpose).</summary>
public sealed class AuditTamperingOverHttpTests(DevHostFixture host) : IClassFixture<DevHostFixture>
{
    [Fact]
    public async Task A_record_whose_sequence_and_time_were_retyped_is_located_by_verification_not_answered_with_500()
    {
        // The host's first start recorded its CA keys; the last of those records gets its types changed.
        var table = new TableClient(TestEnvironment.StorageConnectionString, host.TablePrefix + TableNames.Audit);
        var records = await table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter(
            $"PartitionKey eq {TableAuditStore.Partition} and RowKey ge {TableAuditStore.RecordPrefix} and RowKey lt {"s"}")).ToListAsync();
        Assert.True(records.Count >= 2, $"{records.Count} audit records after start");
        var row = records[^1];
        var sequence = row.GetInt64("Sequence")!.Value;
        row["Sequence"] = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        row["Time"] = row.GetDateTimeOffset("Time")!.Value.ToString("O");
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        using var verify = await host.Client.GetAsync("/api/audit/verify");
        var result = await verify.JsonAsync();

        Assert.True(verify.StatusCode == HttpStatusCode.OK, result + host.ErrorLog());
        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Equal(sequence - 1, result.GetProperty("count").GetInt64());
        var broken = result.GetProperty("break");
        Assert.Equal(sequence, broken.GetProperty("sequence").GetInt64());
        Assert.Equal(AuditBreak.Altered, broken.GetProperty("problem").GetString());
        Assert.Contains("stored as String", broken.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_listing_answers_the_readable_records_and_names_a_retyped_one_instead_of_500()
    {
        var table = new TableClient(TestEnvironment.StorageConnectionString, host.TablePrefix + TableNames.Audit);
        var records = await table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter(
            $"PartitionKey eq {TableAuditStore.Partition} and RowKey ge {TableAuditStore.RecordPrefix} and RowKey lt {"s"}")).ToListAsync();
        Assert.True(records.Count >= 2, $"{records.Count} audit records after start");

        // The first record's sequence stored as text; put back afterwards, since the other test reads this chain too.
        var row = records[0];
        var sequence = row.GetInt64("Sequence")!.Value;
        row["Sequence"] = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        try
        {
            using var list = await host.Client.GetAsync("/api/audit?limit=1000");
            var page = await list.JsonAsync();

            Assert.True(list.StatusCode == HttpStatusCode.OK, page + host.ErrorLog());
            var unreadable = page.GetProperty("unreadable").EnumerateArray().ToArray();
            var ours = Assert.Single(unreadable, u => u.GetProperty("sequence").GetInt64() == sequence);
            Assert.Contains("Sequence is stored as String", ours.GetProperty("detail").GetString());
            var listed = page.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("sequence").GetInt64()).ToArray();
            Assert.DoesNotContain(sequence, listed);
            Assert.Equal(records.Count, listed.Length + unreadable.Length);
        }
        finally
        {
            row["Sequence"] = sequence;
            await table.UpdateEntityAsync(row, Azure.ETag.All, TableUpdateMode.Replace);
        }
    }
}
