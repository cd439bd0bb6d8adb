using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>Targets, sweeps over the queue, and the inventory, through the dev host on Azurite.</summary>
public sealed class DiscoveryOverHttpTests(DiscoveryHostFixture host) : IClassFixture<DiscoveryHostFixture>
{
    private HttpClient Client => host.Client;

    [Fact]
    public async Task A_vault_sweep_records_every_version_and_a_second_sweep_adds_nothing()
    {
        var created = DateTimeOffset.UtcNow.AddDays(-3);
        var web1 = SelfSigned("web.vault.test");
        var web2 = SelfSigned("web.vault.test");
        var db = SelfSigned("db.vault.test");
        host.Vault.AddVersion("web", web1, created);
        host.Vault.AddVersion("web", web2, created.AddDays(1));
        host.Vault.AddVersion("db", db, created);
        var target = await Client.AddTargetAsync(new { kind = "keyvault", vaultUri = host.Vault.VaultUri.ToString() });
        Assert.Equal("keyvault", target.GetProperty("kind").GetString());

        var first = await Client.SweepAsync(host.ErrorLog);
        Assert.Equal(3, first.GetProperty("certificates").GetInt32());
        var rowsAfterFirst = (await host.CountRowsAsync(TableNames.Inventory), await host.CountRowsAsync(TableNames.InventoryLocations));

        var second = await Client.SweepAsync(host.ErrorLog);
        Assert.Equal(3, second.GetProperty("certificates").GetInt32());
        Assert.Equal(rowsAfterFirst, (await host.CountRowsAsync(TableNames.Inventory), await host.CountRowsAsync(TableNames.InventoryLocations)));

        var item = await Client.GetJsonAsync($"/api/inventory/{DiscoveryClient.Fingerprint(web2)}");
        Assert.Equal("keyvault", item.GetProperty("sources")[0].GetString());
        var location = Assert.Single(item.GetProperty("locations").EnumerateArray());
        Assert.StartsWith($"{host.Vault.VaultUri.Authority}/certificates/web/", location.GetProperty("location").GetString());
        Assert.Equal(second.GetProperty("id").GetString(), location.GetProperty("sweepId").GetString());
        Assert.True(location.GetProperty("lastSeen").GetDateTimeOffset() > location.GetProperty("firstSeen").GetDateTimeOffset());
        Assert.Contains(item.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "self-signed");

        var fromVaults = await Client.GetJsonAsync("/api/inventory?source=keyvault");
        Assert.Equal(
            new[] { DiscoveryClient.Fingerprint(web1), DiscoveryClient.Fingerprint(web2), DiscoveryClient.Fingerprint(db) }.Order(),
            fromVaults.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("fingerprint").GetString()).Order());
    }

    [Fact]
    public async Task A_vault_that_refuses_us_is_reported_and_the_sweep_still_completes()
    {
        await Client.AddTargetAsync(new { kind = "keyvault", vaultUri = host.Vault.VaultUri.ToString() });
        host.Vault.DenyListing = true;
        try
        {
            var sweep = await Client.SweepAsync(host.ErrorLog);
            var failure = Assert.Single(sweep.GetProperty("failures").EnumerateArray());
            Assert.Equal(host.Vault.VaultUri.ToString(), failure.GetProperty("location").GetString());
            Assert.Equal("Failed", failure.GetProperty("outcome").GetString());
            Assert.Contains("403", failure.GetProperty("message").GetString());
        }
        finally
        {
            host.Vault.DenyListing = false;
        }
    }

    [Fact]
    public async Task The_timer_fired_by_hand_through_the_admin_endpoint_sweeps_every_target()
    {
        await Client.AddTargetAsync(new { kind = "keyvault", vaultUri = host.Vault.VaultUri.ToString() });
        using var before = await Client.GetAsync("/api/discovery/sweeps/current");
        var previous = before.IsSuccessStatusCode ? (await before.JsonAsync()).GetProperty("id").GetString() : null;

        using var fired = await Client.PostAsJsonAsync("/admin/functions/SweepTargets", new { input = "" });
        Assert.Equal(HttpStatusCode.Accepted, fired.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await Client.GetAsync("/api/discovery/sweeps/current");
            if (response.IsSuccessStatusCode)
            {
                var sweep = await response.JsonAsync();
                if (sweep.GetProperty("id").GetString() != previous && sweep.GetProperty("complete").GetBoolean())
                {
                    Assert.Equal("schedule", sweep.GetProperty("trigger").GetString());
                    Assert.Equal(1, sweep.GetProperty("vaults").GetInt32());
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "the timer's sweep did not complete within 60 s: " + host.ErrorLog());
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_certificate_we_issue_joins_the_inventory_with_its_owner_and_shows_its_revocation()
    {
        using var ssl = new Openssl();
        var key = ssl.NewKey("inv.key", "ec:P-256");
        var issued = await Client.IssueAsync(ssl.NewCsr(key, "/CN=inventory.internal", "DNS:inventory.internal"));
        var pem = ssl.Write("inv.pem", issued.GetProperty("certificatePem").GetString()!);

        // openssl prints the fingerprint as colon-separated uppercase hex; the API takes it as it is.
        var fingerprint = Openssl.Run("x509", "-in", pem, "-noout", "-fingerprint", "-sha256").EnsureSuccess().Stdout.Trim().Split('=')[1];
        var item = await Client.GetJsonAsync($"/api/inventory/{fingerprint}");
        Assert.Equal(fingerprint.Replace(":", string.Empty).ToLowerInvariant(), item.GetProperty("fingerprint").GetString());
        Assert.Equal(["issued"], item.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("alice@corp.internal", item.GetProperty("owner").GetString());
        Assert.Equal(host.IssuingId, item.GetProperty("issuerCaId").GetString());
        Assert.Empty(item.GetProperty("findings").EnumerateArray());

        using var revoked = await Client.PostAsJsonAsync($"/api/certificates/{issued.GetProperty("serialNumber").GetString()}/revoke", new { reason = "superseded" });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        var after = await Client.GetJsonAsync($"/api/inventory/{fingerprint}");
        var finding = Assert.Single(after.GetProperty("findings").EnumerateArray());
        Assert.Equal(("revoked", "critical"), (finding.GetProperty("code").GetString(), finding.GetProperty("severity").GetString()));
    }

    [Fact]
    public async Task Targets_outside_the_allowed_networks_are_refused_and_nothing_is_stored()
    {
        var before = await host.CountRowsAsync(TableNames.DiscoveryTargets);

        await RefusedAsync(Client.PostAsJsonAsync("/api/discovery/targets", new { kind = "endpoint", host = "192.0.2.10", port = 443 }), HttpStatusCode.Forbidden, "network-not-allowed");
        await RefusedAsync(Client.PostAsJsonAsync("/api/discovery/targets", new { kind = "cidr", cidr = "127.0.0.0/8", ports = new[] { 443 } }), HttpStatusCode.UnprocessableEntity, "range-too-large");
        await RefusedAsync(Client.PostAsJsonAsync("/api/discovery/targets", new { kind = "keyvault", vaultUri = "https://169.254.169.254/" }), HttpStatusCode.Forbidden, "vault-not-allowed");
        await RefusedAsync(Client.PostAsync("/api/discovery/targets", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await RefusedAsync(Client.DeleteAsync("/api/discovery/targets/0123456789abcdef0123456789abcdef"), HttpStatusCode.NotFound, "unknown-target");
        await RefusedAsync(Client.GetAsync("/api/inventory?finding=bogus"), HttpStatusCode.BadRequest, "invalid-filter");
        await RefusedAsync(Client.GetAsync("/api/inventory/abc"), HttpStatusCode.BadRequest, "invalid-fingerprint");
        await RefusedAsync(Client.GetAsync("/api/discovery/sweeps/nope"), HttpStatusCode.NotFound, "unknown-sweep");

        Assert.Equal(before, await host.CountRowsAsync(TableNames.DiscoveryTargets));
    }

    [Fact]
    public async Task A_batch_message_that_cannot_be_read_ends_in_the_poison_queue_with_a_log_line()
    {
        var queue = host.Queue(QueueNames.DiscoveryBatches);
        var poison = host.Queue(QueueNames.DiscoveryBatches + "-poison");
        await poison.CreateIfNotExistsAsync();
        var sent = await queue.SendMessageAsync("{\"sweepId\": 42, \"batch\": \"not a number\"");

        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? body = null;
        while (body is null && DateTime.UtcNow < deadline)
        {
            var peeked = await poison.PeekMessagesAsync(32);
            body = peeked.Value.Select(m => m.Body.ToString()).FirstOrDefault(b => b.Contains("not a number", StringComparison.Ordinal));
            await Task.Delay(250);
        }

        Assert.Equal("{\"sweepId\": 42, \"batch\": \"not a number\"", body);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning
            && r.Message.Contains(sent.Value.MessageId, StringComparison.Ordinal) && r.Message.Contains("poison", StringComparison.Ordinal));
    }

    private async Task RefusedAsync(Task<HttpResponseMessage> call, HttpStatusCode status, string? type = null)
    {
        var response = await call;
        Assert.True(response.StatusCode != HttpStatusCode.InternalServerError, host.ErrorLog());
        await response.AssertProblemAsync(status, type);
    }





    private static byte[] SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-5), DateTimeOffset.UtcNow.AddDays(60)).RawData;
    }

}
