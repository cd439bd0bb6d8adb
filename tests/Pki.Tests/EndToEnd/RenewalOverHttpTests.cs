using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Renewal;
using Pki.Core.Storage;
using Pki.Functions;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>Renewal on the dev host: planner timer, renewals queue, renewer, judged by openssl and by storage.</summary>
public sealed class RenewalOverHttpTests(RenewalHostFixture host) : IClassFixture<RenewalHostFixture>, IDisposable
{
    private readonly Openssl _ssl = new();

    public void Dispose() => _ssl.Dispose();

    private ICertificateStore Store => host.App.Services.GetRequiredService<ICertificateStore>();

    private RenewalService Renewer => host.App.Services.GetRequiredService<RenewalService>();

    [Fact]
    public async Task Auto_renewal_issues_a_successor_for_the_same_key_that_openssl_verifies()
    {
        var (serial, leaf) = await IssueAsync("renew.internal");

        // Two thirds of the default 47 days have passed: the planner's timer puts it on the queue, the renewer renews it.
        host.Time.Advance(TimeSpan.FromDays(32));
        using (var run = await host.Client.PostAsJsonAsync("/admin/functions/" + nameof(Renewals.PlanRenewals), new { input = string.Empty }))
        {
            Assert.True(run.IsSuccessStatusCode, $"{(int)run.StatusCode} {host.ErrorLog()}");
        }

        var predecessor = await host.WaitForSuccessorAsync(serial);
        var successorSerial = predecessor.SuccessorSerial!;
        Assert.Equal(CertificateStatus.Issued, predecessor.Status); // the predecessor stays valid
        var successor = (await Store.GetAsync(successorSerial))!;
        Assert.Equal(serial, successor.PredecessorSerial);
        Assert.Equal(predecessor.Profile, successor.Profile);
        Assert.Equal(predecessor.Owner, successor.Owner);

        var view = await (await host.Client.GetAsync($"/api/certificates/{successorSerial}")).JsonAsync();
        var renewed = _ssl.Write("renewed.pem", view.GetProperty("certificatePem").GetString()!);
        Assert.Equal(PublicKey(leaf), PublicKey(renewed));
        Assert.Contains("DNS:renew.internal", Openssl.Run("x509", "-in", renewed, "-noout", "-ext", "subjectAltName").EnsureSuccess().Stdout);

        var root = _ssl.Write("root.pem", await host.Client.GetStringAsync($"/api/ca/{host.RootId}/certificate"));
        var issuing = _ssl.Write("issuing.pem", await host.Client.GetStringAsync($"/api/ca/{host.IssuingId}/certificate"));
        var attime = host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var verify = Openssl.Run("verify", "-x509_strict", "-attime", attime, "-purpose", "sslserver", "-CAfile", root, "-untrusted", issuing, renewed);
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);

        // A redelivered message finds the link and issues nothing.
        var before = await host.CountRowsAsync(TableNames.Certificates);
        Assert.Equal(RenewalOutcome.AlreadyRenewed, await Renewer.RenewAsync(new RenewalMessage(serial)));
        Assert.Equal(before, await host.CountRowsAsync(TableNames.Certificates));
        Assert.Equal(successorSerial, (await Store.GetAsync(serial))!.SuccessorSerial);
    }

    [Fact]
    public async Task A_batch_renews_each_of_its_certificates_once_and_the_same_batch_again_renews_nothing()
    {
        var serials = new List<string>();
        foreach (var name in new[] { "batch-a.internal", "batch-b.internal", "batch-c.internal" })
        {
            serials.Add((await IssueAsync(name)).Serial);
        }

        var batches = host.Queue(QueueNames.RenewalBatches);
        await batches.CreateIfNotExistsAsync();
        var body = System.Text.Json.JsonSerializer.Serialize(new RenewalBatch("20261101", serials), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        await batches.SendMessageAsync(body);

        // FanOutRenewals puts one renewals message per serial; RenewCertificate renews each.
        var successors = new Dictionary<string, string>();
        foreach (var serial in serials)
        {
            successors[serial] = (await host.WaitForSuccessorAsync(serial)).SuccessorSerial!;
        }

        Assert.Equal(3, successors.Values.Distinct().Count());
        await host.WaitForQueuesToDrainAsync(QueueNames.RenewalBatches, QueueNames.Renewals);
        var before = await host.CountRowsAsync(TableNames.Certificates);

        // The planner sends a batch again when a mark was lost: its fan-out and renewals change nothing.
        await batches.SendMessageAsync(body);
        await host.WaitForQueuesToDrainAsync(QueueNames.RenewalBatches, QueueNames.Renewals);
        Assert.Equal(before, await host.CountRowsAsync(TableNames.Certificates));
        foreach (var serial in serials)
        {
            Assert.Equal(successors[serial], (await Store.GetAsync(serial))!.SuccessorSerial);
        }

        var poison = host.Queue(QueueNames.RenewalBatches + "-poison");
        Assert.False(await poison.ExistsAsync() && (await poison.PeekMessagesAsync(32)).Value.Any(m => m.Body.ToString() == body), host.ErrorLog());
    }

    [Fact]
    public async Task Deliveries_running_at_once_issue_one_successor()
    {
        var (serial, _) = await IssueAsync("race.internal");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Renewer.RenewAsync(new RenewalMessage(serial)))));

        Assert.Single(outcomes, o => o == RenewalOutcome.Renewed);
        Assert.All(outcomes.Where(o => o != RenewalOutcome.Renewed), o => Assert.Equal(RenewalOutcome.AlreadyRenewed, o));
        var successor = (await Store.GetAsync((await Store.GetAsync(serial))!.SuccessorSerial!))!;
        Assert.Equal((CertificateStatus.Issued, serial), (successor.Status, successor.PredecessorSerial));

        // Not only one link: one signed certificate. The others stopped before their signature.
        var table = new Azure.Data.Tables.TableClient(TestEnvironment.StorageConnectionString, host.TablePrefix + TableNames.Certificates);
        var signed = 0;
        await foreach (var _ in table.QueryAsync<Azure.Data.Tables.TableEntity>(
            Azure.Data.Tables.TableClient.CreateQueryFilter($"PredecessorSerial eq {serial} and Status eq {nameof(CertificateStatus.Issued)}")))
        {
            signed++;
        }

        Assert.Equal(1, signed);

        // The trail holds one issue and one renew record for the successor, after a redelivery too, and still verifies.
        Assert.Equal(RenewalOutcome.AlreadyRenewed, await Renewer.RenewAsync(new RenewalMessage(serial)));
        var audit = await host.App.Services.GetRequiredService<IAuditStore>().ReadAllAsync().ToListAsync();
        Assert.Single(audit, r => r.Action == AuditActions.Issue && r.SerialNumber == successor.SerialNumber);
        var renew = Assert.Single(audit, r => r.Action == AuditActions.Renew && r.SerialNumber == successor.SerialNumber);
        Assert.Contains("renews=" + serial, renew.Detail);
        Assert.True((await host.App.Services.GetRequiredService<AuditVerifier>().VerifyAsync()).Ok);
    }

    [Fact]
    public async Task With_auto_renewal_off_the_owner_is_notified_and_nothing_is_issued()
    {
        var key = _ssl.NewKey("manual.key", "ec:P-256");
        var body = new JsonObject { ["csr"] = _ssl.NewCsr(key, "/CN=manual.internal", "DNS:manual.internal"), ["profile"] = "tls-server", ["owner"] = "bob@corp.internal", ["autoRenew"] = false };
        using var response = await host.Client.PostAsJsonAsync("/api/certificates", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var serial = (await response.JsonAsync()).GetProperty("serialNumber").GetString()!;
        Assert.False((await Store.GetAsync(serial))!.AutoRenew);

        var before = await host.CountRowsAsync(TableNames.Certificates);
        Assert.Equal(RenewalOutcome.OwnerNotified, await Renewer.RenewAsync(new RenewalMessage(serial)));
        Assert.Equal(before, await host.CountRowsAsync(TableNames.Certificates));
        var notice = Assert.Single(host.Notifier.Notices, n => n.Certificate.SerialNumber == serial);
        Assert.Equal(RenewalNoticeReason.AutoRenewOff, notice.Reason);
        Assert.Equal("bob@corp.internal", notice.Certificate.Owner);
        Assert.Null((await Store.GetAsync(serial))!.SuccessorSerial);
    }

    [Fact]
    public async Task A_malformed_renewal_message_ends_in_the_poison_queue_with_a_log_line()
    {
        var queue = host.Queue(QueueNames.Renewals);
        var poison = host.Queue(QueueNames.Renewals + "-poison");
        await queue.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();
        const string Malformed = "{\"serialNumber\": \"not hex\"}";
        var sent = await queue.SendMessageAsync(Malformed);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? found = null;
        while (found is null && DateTime.UtcNow < deadline)
        {
            var peeked = await poison.PeekMessagesAsync(32);
            found = peeked.Value.Select(m => m.Body.ToString()).FirstOrDefault(b => b == Malformed);
            await Task.Delay(250);
        }

        Assert.Equal(Malformed, found);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning
            && r.Message.Contains(sent.Value.MessageId, StringComparison.Ordinal) && r.Message.Contains("poison", StringComparison.Ordinal));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Message.Contains("moves to the poison queue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_single_certificate_message_from_before_batches_is_still_renewed()
    {
        var (serial, _) = await IssueAsync("single.internal");
        var renewals = host.Queue(QueueNames.Renewals);
        await renewals.CreateIfNotExistsAsync();
        await renewals.SendMessageAsync($"{{\"serialNumber\": \"{serial}\"}}");

        // The link is claimed before the signature: wait for the successor to be stored as issued, not just claimed.
        var successorSerial = (await host.WaitForSuccessorAsync(serial)).SuccessorSerial!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var successor = (await Store.GetAsync(successorSerial))!;
        while (successor.Status == CertificateStatus.Issuing && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            successor = (await Store.GetAsync(successorSerial))!;
        }

        Assert.Equal((CertificateStatus.Issued, serial), (successor.Status, successor.PredecessorSerial));
    }

    [Fact]
    public async Task A_malformed_renewal_batch_ends_in_its_poison_queue_with_a_log_line()
    {
        var queue = host.Queue(QueueNames.RenewalBatches);
        var poison = host.Queue(QueueNames.RenewalBatches + "-poison");
        await queue.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();
        const string Malformed = "{\"day\": \"20261101\"}";
        await queue.SendMessageAsync(Malformed);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? found = null;
        while (found is null && DateTime.UtcNow < deadline)
        {
            found = (await poison.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).FirstOrDefault(b => b == Malformed);
            await Task.Delay(250);
        }

        Assert.Equal(Malformed, found);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Level == LogLevel.Error
            && r.Message.Contains("Renewal batch of due day 20261101", StringComparison.Ordinal) && r.Message.Contains("moves to the poison queue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pipeline_renewal_request_issues_a_successor_for_the_new_key_once()
    {
        var (serial, _) = await IssueAsync("pipeline.internal", autoRenew: false); // so a planning pass of another test leaves it alone
        var newKey = _ssl.NewKey("pipeline-new.key", "ec:P-256");
        var request = new RenewalRequest("build-4711", serial, _ssl.NewCsr(newKey, "/CN=pipeline.internal", "DNS:pipeline.internal"));
        await host.Queue(QueueNames.RenewalRequests).CreateIfNotExistsAsync();
        await host.Queue(QueueNames.RenewalRequests).SendMessageAsync(System.Text.Json.JsonSerializer.Serialize(request, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));

        var predecessor = await host.WaitForSuccessorAsync(serial);
        var successor = (await Store.GetAsync(predecessor.SuccessorSerial!))!;
        Assert.Equal(serial, successor.PredecessorSerial);
        Assert.Equal(predecessor.Owner, successor.Owner);
        var renewed = _ssl.Write("pipeline-renewed.pem", (await (await host.Client.GetAsync($"/api/certificates/{successor.SerialNumber}")).JsonAsync()).GetProperty("certificatePem").GetString()!);
        Assert.Equal(Openssl.Run("pkey", "-in", newKey, "-pubout").EnsureSuccess().Stdout, PublicKey(renewed));

        // The same request again (a redelivery, or the pipeline retrying) returns the first certificate and issues nothing.
        var before = await host.CountRowsAsync(TableNames.Certificates);
        var again = await host.App.Services.GetRequiredService<RenewalRequestService>().HandleAsync(request);
        Assert.Equal(successor.SerialNumber, again.Issued!.Certificate.SerialNumber);
        Assert.True(again.Issued.Replayed);
        Assert.Equal(before, await host.CountRowsAsync(TableNames.Certificates));
    }

    [Fact]
    public async Task A_pipeline_renewal_request_goes_through_the_same_policy_as_http()
    {
        var (serial, _) = await IssueAsync("policy.internal", autoRenew: false);
        var weak = _ssl.NewKey("weak.key", "rsa:1024");
        var request = new RenewalRequest("build-4712", serial, _ssl.NewCsr(weak, "/CN=policy.internal", "DNS:policy.internal"));
        var before = await host.CountRowsAsync(TableNames.Certificates);

        var outcome = await host.App.Services.GetRequiredService<RenewalRequestService>().HandleAsync(request);
        Assert.Null(outcome.Issued);
        Assert.Contains("key", outcome.Refusal!.Type, StringComparison.Ordinal);
        Assert.Equal(before, await host.CountRowsAsync(TableNames.Certificates));
        Assert.Null((await Store.GetAsync(serial))!.SuccessorSerial);
        await Assert.ThrowsAsync<FormatException>(() => host.App.Services.GetRequiredService<RenewalRequestService>().HandleAsync(request with { RequestId = null }));
    }

    [Fact]
    public async Task A_renewal_request_and_the_automatic_renewer_hold_a_certificate_to_its_teams_current_grants_alike()
    {
        // An admin may issue any team's names; platform is granted *.internal, not this one. Its renewal is held to the grants.
        var (ungranted, _) = await IssueAsync("ungranted.renewal.test");
        var newKey = _ssl.NewKey("ungranted-new.key", "ec:P-256");
        var request = new RenewalRequest(TestEnvironment.UniqueId("build-"), ungranted, _ssl.NewCsr(newKey, "/CN=ungranted.renewal.test", "DNS:ungranted.renewal.test"));

        var byPipeline = await host.App.Services.GetRequiredService<RenewalRequestService>().HandleAsync(request);
        var byRenewer = await Renewer.RenewAsync(new RenewalMessage(ungranted));

        Assert.Equal("name-not-granted", byPipeline.Refusal?.Type);
        Assert.Equal(RenewalOutcome.OwnerNotified, byRenewer);
        var notice = Assert.Single(host.Notifier.Notices, n => n.Certificate.SerialNumber == ungranted);
        Assert.Equal(RenewalNoticeReason.PolicyRefused, notice.Reason);
        Assert.Contains("not granted the name 'ungranted.renewal.test'", notice.Detail, StringComparison.Ordinal);
        Assert.Null((await Store.GetAsync(ungranted))!.SuccessorSerial);

        // A certificate of names the team is granted is renewed by either path.
        var (granted, _) = await IssueAsync("granted.renewal.internal");
        var (grantedToo, _) = await IssueAsync("granted-too.renewal.internal");
        var grantedKey = _ssl.NewKey("granted-new.key", "ec:P-256");
        var renewed = await host.App.Services.GetRequiredService<RenewalRequestService>().HandleAsync(
            new RenewalRequest(TestEnvironment.UniqueId("build-"), granted, _ssl.NewCsr(grantedKey, "/CN=granted.renewal.internal", "DNS:granted.renewal.internal")));
        Assert.Null(renewed.Refusal);
        Assert.NotNull(renewed.Issued);
        Assert.Contains(await Renewer.RenewAsync(new RenewalMessage(grantedToo)), new[] { RenewalOutcome.Renewed, RenewalOutcome.AlreadyRenewed });
        Assert.NotNull((await Store.GetAsync(grantedToo))!.SuccessorSerial);
    }

    [Fact]
    public async Task A_refused_renewal_request_is_audited_once_and_its_message_completes_on_the_first_delivery()
    {
        var (serial, _) = await IssueAsync("refused.renewal.test", autoRenew: false);
        var newKey = _ssl.NewKey("refused-new.key", "ec:P-256");
        var requestId = TestEnvironment.UniqueId("build-");
        var request = new RenewalRequest(requestId, serial, _ssl.NewCsr(newKey, "/CN=refused.renewal.test", "DNS:refused.renewal.test"));
        var body = System.Text.Json.JsonSerializer.Serialize(request, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        var queue = host.Queue(QueueNames.RenewalRequests);
        var poison = host.Queue(QueueNames.RenewalRequests + "-poison");
        await queue.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(body);

        // The message is deleted once handled; retries (200 ms apart on this host) would each add a refusal first.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !host.Logs.GetSnapshot().Any(r => r.Level == LogLevel.Warning && r.Message.Contains(requestId, StringComparison.Ordinal)))
        {
            await Task.Delay(100);
        }

        while (DateTime.UtcNow < deadline && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            await Task.Delay(100);
        }

        await Task.Delay(TimeSpan.FromSeconds(2)); // time for a redelivery, were there one
        var audit = await host.App.Services.GetRequiredService<IAuditStore>().ReadAllAsync().ToListAsync();
        var refusal = Assert.Single(audit, r => r.SerialNumber == serial && r.Outcome == AuditOutcomes.Refused);
        Assert.Equal("name-not-granted", refusal.ProblemType);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.DoesNotContain((await poison.PeekMessagesAsync(32)).Value, m => m.Body.ToString() == body);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning
            && r.Message.Contains(requestId, StringComparison.Ordinal) && r.Message.Contains("name-not-granted", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Level >= LogLevel.Error && r.Message.Contains(requestId, StringComparison.Ordinal));
        Assert.Null((await Store.GetAsync(serial))!.SuccessorSerial);
    }

    private static string PublicKey(string certificatePath) =>
        Openssl.Run("x509", "-in", certificatePath, "-noout", "-pubkey").EnsureSuccess().Stdout;

    private async Task<(string Serial, string LeafPath)> IssueAsync(string name, bool? autoRenew = null)
    {
        var key = _ssl.NewKey(name + ".key", "ec:P-256");
        var body = new JsonObject { ["csr"] = _ssl.NewCsr(key, "/CN=" + name, "DNS:" + name), ["profile"] = "tls-server", ["owner"] = "alice@corp.internal" };
        if (autoRenew is not null)
        {
            body["autoRenew"] = autoRenew;
        }

        using var response = await host.Client.PostAsJsonAsync("/api/certificates", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var issued = System.Text.Json.JsonDocument.Parse(text).RootElement;
        return (issued.GetProperty("serialNumber").GetString()!, _ssl.Write(name + ".pem", issued.GetProperty("certificatePem").GetString()!));
    }
}
