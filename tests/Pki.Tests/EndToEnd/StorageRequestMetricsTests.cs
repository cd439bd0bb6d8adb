using System.Net;
using System.Net.Http.Json;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>The dev host counts the storage requests the service sends (what local/bench divides by the issuances), for admins only.</summary>
public sealed class StorageRequestMetricsTests(DevHostFixture host) : IClassFixture<DevHostFixture>
{
    [Fact]
    public async Task An_issuance_adds_its_table_requests_to_the_count_only_admins_can_read()
    {
        var before = (await host.Client.GetFromJsonAsync<Dictionary<string, long>>("/admin/metrics/storage-requests"))!;
        await host.Client.IssueAsync(Convert.ToBase64String(Csrs.Ec("metered.internal", ["metered.internal"])));
        var after = (await host.Client.GetFromJsonAsync<Dictionary<string, long>>("/admin/metrics/storage-requests"))!;

        // On the request path at least the reservation, the issued record and the audit record; after the answer the
        // derived rows (this client waits for them: HostFollowUps). Every count only grows.
        long Delta(string key) => after.GetValueOrDefault(key) - before.GetValueOrDefault(key);
        Assert.True(Delta("table/request") >= 3, $"table requests on the request path: {Delta("table/request")}");
        Assert.True(Delta("table/follow-up") >= 3, $"table requests after the answer: {Delta("table/follow-up")}");
        Assert.All(before, b => Assert.True(after[b.Key] >= b.Value));

        using var requester = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        await (await requester.GetAsync("/admin/metrics/storage-requests")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-role");
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/admin/metrics/storage-requests")).StatusCode);
    }
}
