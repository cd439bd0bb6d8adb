using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>The audit trail through the dev host: what issuance and revocation leave in it, and verification.</summary>
public sealed class AuditOverHttpTests(DevHostFixture host) : IClassFixture<DevHostFixture>
{
    [Fact]
    public async Task A_known_caller_refused_a_permission_is_recorded_with_what_it_asked_for()
    {
        using var requester = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        await (await requester.GetAsync("/api/audit/verify")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-permission");

        var records = await ReadAllAsync("/api/audit?limit=1000");
        var refusal = Assert.Single(records, r => r.GetProperty("action").GetString() == "access"
            && r.GetProperty("actor").GetProperty("id").GetString() == TestCallers.PaymentsRequester.Identity);
        Assert.Equal("refused", refusal.GetProperty("outcome").GetString());
        Assert.Equal("urn:serverless-pki:problem:missing-permission", "urn:serverless-pki:problem:" + refusal.GetProperty("problemType").GetString()!.Split(':')[^1]);
        Assert.Contains("GET /api/audit/verify", refusal.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // An unauthenticated caller is refused without a record: there is nobody to attribute it to.
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/audit/verify")).StatusCode);
        Assert.Equal(records.Length, (await ReadAllAsync("/api/audit?limit=1000")).Length);
    }

    [Fact]
    public async Task Issuing_and_revoking_leave_records_with_the_serial_and_the_chain_verifies()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var issued = await host.Client.IssueAsync(Convert.ToBase64String(Csrs.Ec("audited.internal", ["audited.internal"])));
        var serial = issued.GetProperty("serialNumber").GetString()!;
        using (var revoke = await host.Client.PostAsJsonAsync($"/api/certificates/{serial}/revoke", new { reason = "keyCompromise" }))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        // A repeated revocation changes nothing and adds no second revoke record.
        using (await host.Client.PostAsJsonAsync($"/api/certificates/{serial}/revoke", new { reason = "superseded" }))
        {
        }

        var records = await ReadAllAsync($"/api/audit?from={Uri.EscapeDataString(before.ToString("O"))}&limit=2");
        var ours = records.Where(r => r.TryGetProperty("serialNumber", out var s) && s.GetString() == serial).ToArray();
        Assert.Equal(["issue", "revoke"], ours.Select(r => r.GetProperty("action").GetString()));
        Assert.All(ours, r => Assert.Equal("succeeded", r.GetProperty("outcome").GetString()));
        Assert.Contains("reason=keyCompromise", ours[1].GetProperty("detail").GetString());
        Assert.Equal(ours[0].GetProperty("hash").GetString(), records.SkipWhile(r => r.GetProperty("sequence").GetInt64() != ours[0].GetProperty("sequence").GetInt64()).Skip(1).First().GetProperty("previousHash").GetString());
        Assert.False(string.IsNullOrEmpty(ours[0].GetProperty("actor").GetProperty("id").GetString()));

        // The CA keys the host created at its first start are in the trail too.
        var all = await ReadAllAsync("/api/audit?limit=1000");
        Assert.Equal(2, all.Count(r => r.GetProperty("action").GetString() == "key-create"));

        using var verify = await host.Client.GetAsync("/api/audit/verify");
        var result = await verify.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal(all.Length, result.GetProperty("count").GetInt64());
        Assert.Equal(all[^1].GetProperty("hash").GetString(), result.GetProperty("headHash").GetString());
    }

    [Theory]
    [InlineData("from=yesterday", "invalid-time")]
    [InlineData("from=2026-11-28T00:00:00Z&to=2026-11-27T00:00:00Z", "invalid-range")]
    [InlineData("limit=0", "invalid-limit")]
    [InlineData("limit=100000", "invalid-limit")]
    [InlineData("continuationToken=forged", "invalid-continuation-token")]
    [InlineData("limit=1&limit=2", "invalid-query")]
    public async Task Bad_query_parameters_get_a_400_problem(string query, string type)
    {
        await (await host.Client.GetAsync("/api/audit?" + query)).AssertProblemAsync(HttpStatusCode.BadRequest, type);
    }

    /// <summary>Follows continuation tokens to the end.</summary>
    private async Task<JsonElement[]> ReadAllAsync(string first)
    {
        var records = new List<JsonElement>();
        var url = first;
        for (var pages = 0; pages < 100; pages++)
        {
            using var response = await host.Client.GetAsync(url);
            var page = await response.JsonAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, page.ToString());
            records.AddRange(page.GetProperty("records").EnumerateArray());
            if (!page.TryGetProperty("continuationToken", out var token))
            {
                return [.. records];
            }

            url = first + "&continuationToken=" + Uri.EscapeDataString(token.GetString()!);
        }

        throw new InvalidOperationException("More than 100 pages.");
    }
}
