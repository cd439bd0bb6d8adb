using System.Net;
using System.Text;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// The compliance report reaches the client while the inventory is still being read: with the third page's read
/// held, the header and the first two pages' rows have arrived. A report that collected every row before answering
/// would send nothing at all until the held read returned, and these tests would time out.
/// </summary>
public sealed class ReportStreamingTests(ReportStreamingFixture host) : IClassFixture<ReportStreamingFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task Rows_of_the_first_pages_arrive_before_the_next_page_is_read_and_all_arrive_once_it_is(string format)
    {
        using var auditor = TestCallers.Auditor.Client(host.BaseAddress);
        host.Gate.Arm(holdAtQuery: 3);
        try
        {
            using var response = await auditor.GetAsync("/api/reports/compliance?format=" + format, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Patience);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
            var received = new StringBuilder();
            var firstPages = 2 * ReportStreamingFixture.PageSize;
            while (Rows(received.ToString(), format) < firstPages)
            {
                var buffer = new char[4096];
                var read = await reader.ReadAsync(buffer).AsTask().WaitAsync(Patience);
                Assert.True(read > 0, "the report ended before the held page was read");
                received.Append(buffer, 0, read);
            }

            await host.Gate.Reached.WaitAsync(Patience);
            Assert.Equal(3, host.Gate.Queries);
            Assert.Equal(firstPages, Rows(received.ToString(), format));

            host.Gate.Release();
            received.Append(await reader.ReadToEndAsync().WaitAsync(Patience));
            var text = received.ToString();
            if (format == "csv")
            {
                var rows = PythonCsv.Parse(text);
                Assert.Equal(ReportStreamingFixture.ItemCount, rows.Count - 1);
                Assert.Equal(ReportStreamingFixture.ItemCount, rows.Skip(1).Select(r => r[0]).Distinct().Count());
            }
            else
            {
                using var json = System.Text.Json.JsonDocument.Parse(text);
                Assert.Equal(ReportStreamingFixture.ItemCount, json.RootElement.GetProperty("items").GetArrayLength());
            }

            Assert.True(host.Gate.Queries >= ReportStreamingFixture.ItemCount / ReportStreamingFixture.PageSize);
        }
        finally
        {
            host.Gate.Release();
        }
    }

    [Fact]
    public async Task A_client_that_leaves_stops_the_reading_of_further_pages()
    {
        // HttpClient would otherwise read what is left of a response it is told to drop, to reuse the connection.
        var auditor = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = host.BaseAddress };
        auditor.DefaultRequestHeaders.Add(Pki.Core.Access.KeyAuthenticator.ApiKeyHeader, TestCallers.Auditor.Key);
        host.Gate.Arm(holdAtQuery: 3);
        try
        {
            var response = await auditor.GetAsync("/api/reports/compliance?format=csv", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Patience);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await host.Gate.Reached.WaitAsync(Patience);

            // Leaving mid-report closes the connection; the request's cancellation reaches the held read and the rest is never read.
            response.Dispose();
            auditor.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(1));
            host.Gate.Release();
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.InRange(host.Gate.Queries, 3, 4);
        }
        finally
        {
            host.Gate.Release();
        }
    }

    [Fact]
    public async Task The_ownership_report_lists_up_to_its_bound_and_still_counts_everything()
    {
        using var auditor = TestCallers.Auditor.Client(host.BaseAddress);
        host.Gate.Arm(holdAtQuery: int.MaxValue);
        using var response = await auditor.GetAsync("/api/reports/ownership");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var report = json.RootElement;
        var owner = report.GetProperty("teams").EnumerateArray().Single().GetProperty("owners").EnumerateArray().Single();
        Assert.Equal((ReportStreamingFixture.ItemCount, true), (report.GetProperty("total").GetInt32(), report.GetProperty("truncated").GetBoolean()));
        Assert.Equal(ReportStreamingFixture.ItemCount, owner.GetProperty("count").GetInt32());
        Assert.Equal(ReportStreamingFixture.MaxListed, owner.GetProperty("certificates").GetArrayLength());
        Assert.InRange(host.Gate.Queries, ReportStreamingFixture.ItemCount / ReportStreamingFixture.PageSize, (ReportStreamingFixture.ItemCount / ReportStreamingFixture.PageSize) + 1);
    }

    /// <summary>Complete data rows received so far: CSV records after the header, or JSON items (each has one "fingerprint").</summary>
    private static int Rows(string text, string format) => format == "csv"
        ? Math.Max(0, text.Split("\r\n").Length - 2)
        : text.Split("\"fingerprint\":").Length - 1;
}
