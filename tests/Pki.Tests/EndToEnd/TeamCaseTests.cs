using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Access;
using Pki.Core.Inventory;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Issue 16 item 4: a team is one team whatever its case. The grants are configured as "Fleet", the fleet pipeline's key
/// says "FLEET", an admin asks for "Fleet", the owner PUT says "Fleet", and an inventory row written before teams were
/// normalised holds "Fleet"; every one of them is "fleet" in the API, the filters and the reports.
/// </summary>
public sealed class TeamCaseTests(TeamCaseTests.Host host) : IClassFixture<TeamCaseTests.Host>
{
    public sealed class Host : DevHostFixture
    {
        public static readonly TestCaller FleetRequester = new("fleet-bot", "FLEET", [Roles.Requester]);

        public override Task InitializeAsync() => StartHostAsync(
        [
            $"--Pki:Access:ApiKeys:{FleetRequester.Identity}:Sha256={KeyAuthenticator.Hash(FleetRequester.Key)}",
            $"--Pki:Access:ApiKeys:{FleetRequester.Identity}:Team={FleetRequester.Team}",
            $"--Pki:Access:ApiKeys:{FleetRequester.Identity}:Roles:0=requester",
            "--Pki:Access:Teams:Fleet:Names:0=*.fleet.internal",
        ], configureServices: null);
    }

    [Fact]
    public async Task Teams_are_one_whatever_their_case_in_issuance_the_owner_put_filters_and_reports()
    {
        using var ssl = new Openssl();
        var key = ssl.NewKey("k", "ec:P-256");

        // The pipeline's key names "FLEET" and its grants are configured under "Fleet": one team.
        using var fleet = Host.FleetRequester.Client(host.BaseAddress);
        var byPipeline = await fleet.IssueAsync(ssl.NewCsr(key, "/CN=api.fleet.internal", "DNS:api.fleet.internal"));
        Assert.Equal("fleet", byPipeline.GetProperty("team").GetString());

        using var asked = await host.Client.PostAsJsonAsync("/api/certificates", new
        {
            csr = ssl.NewCsr(key, "/CN=db.fleet.internal", "DNS:db.fleet.internal"), profile = "tls-server", owner = "olga@corp.internal", team = "Fleet",
        });
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        Assert.Equal("fleet", (await asked.JsonAsync()).GetProperty("team").GetString());

        // A discovered certificate given its team by hand, and one recorded before teams were normalised.
        var store = host.App.Services.GetRequiredService<IInventoryItemStore>();
        var now = DateTimeOffset.UtcNow;
        var byHand = ReportsHostFixture.Discovered("d1", "CN=byhand.fleet.internal", now.AddDays(-1), now.AddDays(40), "EC", 256, InventorySources.Endpoint, null, null);
        var legacy = ReportsHostFixture.Discovered("d2", "CN=legacy.fleet.internal", now.AddDays(-1), now.AddDays(40), "EC", 256, InventorySources.Endpoint, "lee@corp.internal", null);
        Assert.True(await store.TryAddAsync(byHand));
        Assert.True(await store.TryAddAsync(legacy));
        var items = new TableClient(TestEnvironment.StorageConnectionString, host.TablePrefix + TableNames.Inventory);
        await items.UpdateEntityAsync(new TableEntity(legacy.Fingerprint, string.Empty) { ["Team"] = "Fleet" }, Azure.ETag.All, TableUpdateMode.Merge);

        using var put = await host.Client.PutAsJsonAsync($"/api/inventory/{byHand.Fingerprint}/owner", new { owner = "bo@corp.internal", team = "Fleet" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("fleet", (await put.JsonAsync()).GetProperty("team").GetString());
        Assert.Equal("fleet", (await items.GetEntityAsync<TableEntity>(byHand.Fingerprint, string.Empty)).Value.GetString("Team"));

        // The ownership matrix has one row for the team, counting all four, the legacy row folded in.
        using var auditor = TestCallers.Auditor.Client(host.BaseAddress);
        var ownership = await auditor.GetJsonAsync("/api/reports/ownership");
        var team = Assert.Single(ownership.GetProperty("teams").EnumerateArray());
        Assert.Equal(("fleet", 4), (team.GetProperty("team").GetString(), team.GetProperty("count").GetInt32()));

        // Every filter finds all four, in whatever case it is asked.
        var fingerprints = new[] { byHand.Fingerprint, legacy.Fingerprint }.Concat(await FingerprintsAsync(host.Client, "/api/inventory?source=issued")).Order().ToArray();
        Assert.Equal(4, fingerprints.Length);
        foreach (var filter in new[] { "fleet", "Fleet", "FLEET" })
        {
            Assert.Equal(fingerprints, await FingerprintsAsync(host.Client, $"/api/inventory?team={filter}"));
            var compliance = await auditor.GetJsonAsync($"/api/reports/compliance?team={filter}");
            Assert.Equal(fingerprints, compliance.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("fingerprint").GetString()!).Order().ToArray());
            Assert.All(compliance.GetProperty("items").EnumerateArray(), i => Assert.Equal("fleet", i.GetProperty("team").GetString()));
            var scoped = await auditor.GetJsonAsync($"/api/reports/ownership?team={filter}");
            Assert.Equal(4, scoped.GetProperty("total").GetInt32());
        }

        // The team's own requester reads its inventory, the legacy row included.
        Assert.Equal(fingerprints, await FingerprintsAsync(fleet, "/api/inventory"));
        Assert.Equal("fleet", (await fleet.GetJsonAsync($"/api/inventory/{legacy.Fingerprint}")).GetProperty("team").GetString());
    }

    [Fact]
    public void Owner_rules_file_certificates_under_the_normalised_team()
    {
        var rules = new OwnerRules(new InventoryOptions { OwnerRules = [new OwnerRuleOptions { Pattern = "*.fleet.internal", Team = " Fleet ", Owner = "olga@corp.internal" }] });
        var (_, facts) = Unit.Inventory.TestCertificates.Root("CN=api.fleet.internal");

        Assert.Equal("fleet", rules.Match(facts)?.Team);
    }

    private static async Task<string[]> FingerprintsAsync(HttpClient client, string path)
    {
        var page = await client.GetJsonAsync(path);
        return [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("fingerprint").GetString()!).Order()];
    }
}
