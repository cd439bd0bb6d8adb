using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Renewal;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// POST /api/certificates/{serial}/renew-early on the dev host over Azurite: the certificate goes on the renewals queue,
/// the host's renewer takes it and issues one successor (judged by openssl), however often the admin presses; refusals
/// are problem+json, audited, and queue nothing.
/// </summary>
public sealed class EarlyRenewalOverHttpTests(RenewalHostFixture host) : IClassFixture<RenewalHostFixture>, IDisposable
{
    private readonly Openssl _ssl = new();

    public void Dispose() => _ssl.Dispose();

    private ICertificateStore Store => host.App.Services.GetRequiredService<ICertificateStore>();

    [Fact]
    public async Task Renew_early_queues_the_renewal_which_issues_one_successor_that_openssl_verifies_however_often_it_is_pressed()
    {
        var (serial, leaf) = await IssueAsync("early.internal");

        // Pressed twice at once: each press is accepted or told a successor exists; the renewer issues one successor either way.
        var presses = await Task.WhenAll(PressAsync(serial), PressAsync(serial));
        var accepted = presses.Where(p => p.Status == HttpStatusCode.Accepted).ToArray();
        Assert.NotEmpty(accepted);
        Assert.All(presses.Where(p => p.Status != HttpStatusCode.Accepted), p => Assert.Equal((HttpStatusCode.Conflict, "urn:serverless-pki:problem:certificate-already-renewed"), (p.Status, p.Body.GetProperty("type").GetString())));
        foreach (var press in accepted)
        {
            Assert.Equal(serial, press.Body.GetProperty("serialNumber").GetString());
            Assert.Equal(EarlyRenewalActions.Successor, press.Body.GetProperty("action").GetString());
            Assert.Equal($"/api/certificates/{serial}", press.Location);
            Assert.Equal(host.Time.GetUtcNow(), press.Body.GetProperty("requestedAt").GetDateTimeOffset());
        }

        // The host's queue listener hands the message to the renewer: a successor for the same key, which openssl verifies.
        var successorSerial = (await host.WaitForSuccessorAsync(serial)).SuccessorSerial!;
        await host.WaitForQueuesToDrainAsync(QueueNames.Renewals);
        var successor = (await Store.GetAsync(successorSerial))!;
        Assert.Equal((CertificateStatus.Issued, serial), (successor.Status, successor.PredecessorSerial));
        var view = await (await host.Client.GetAsync($"/api/certificates/{successorSerial}")).JsonAsync();
        var renewed = _ssl.Write("early-successor.pem", view.GetProperty("certificatePem").GetString()!);
        Assert.Equal(PublicKey(leaf), PublicKey(renewed));
        var root = _ssl.Write("root.pem", await host.Client.GetStringAsync($"/api/ca/{host.RootId}/certificate"));
        var issuing = _ssl.Write("issuing.pem", await host.Client.GetStringAsync($"/api/ca/{host.IssuingId}/certificate"));
        var attime = host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var verify = Openssl.Run("verify", "-x509_strict", "-attime", attime, "-purpose", "sslserver", "-CAfile", root, "-untrusted", issuing, renewed);
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);

        // One signed successor, however many presses were accepted.
        Assert.Equal(1, await CountIssuedSuccessorsAsync(serial));

        // Pressed again now: refused, naming the successor, and nothing queued or issued.
        var certificatesBefore = await host.CountRowsAsync(TableNames.Certificates);
        var again = await (await host.Client.PostAsync($"/api/certificates/{serial}/renew-early", null)).AssertProblemAsync(HttpStatusCode.Conflict, "certificate-already-renewed");
        Assert.Contains(successorSerial, again.GetProperty("detail").GetString());

        // A press's message delivered once more (or a press that raced the renewal): the renewer finds the link and issues nothing.
        Assert.Equal(RenewalOutcome.AlreadyRenewed, await host.App.Services.GetRequiredService<RenewalService>().RenewAsync(new RenewalMessage(serial)));
        Assert.Equal(certificatesBefore, await host.CountRowsAsync(TableNames.Certificates));
        Assert.Equal(1, await CountIssuedSuccessorsAsync(serial));

        // The trail: one renew-early record per accepted press, by the admin, and the renewer's renew record; still a valid chain.
        var audit = await host.App.Services.GetRequiredService<IAuditStore>().ReadAllAsync().ToListAsync();
        var early = audit.Where(r => r.Action == AuditActions.RenewEarly && r.SerialNumber == serial).ToArray();
        Assert.Equal(accepted.Length, early.Count(r => r.Outcome == AuditOutcomes.Succeeded));
        Assert.All(early.Where(r => r.Outcome == AuditOutcomes.Succeeded), r => Assert.Equal(("test-admin", "action=successor ca=" + host.IssuingId), (r.Actor.Id, r.Detail)));
        Assert.Single(early, r => r.Outcome == AuditOutcomes.Refused && r.ProblemType == "certificate-already-renewed" && r.Detail!.Contains(successorSerial, StringComparison.Ordinal));
        Assert.Contains("renews=" + serial, Assert.Single(audit, r => r.Action == AuditActions.Renew && r.SerialNumber == successorSerial).Detail);
        Assert.True((await host.App.Services.GetRequiredService<AuditVerifier>().VerifyAsync()).Ok);
    }

    [Fact]
    public async Task With_auto_renewal_off_renew_early_tells_the_owner_and_issues_nothing()
    {
        var (serial, _) = await IssueAsync("early-manual.internal", autoRenew: false);

        var press = await PressAsync(serial);
        Assert.True(press.Status == HttpStatusCode.Accepted, press.Body.ToString());
        Assert.Equal(EarlyRenewalActions.OwnerNotice, press.Body.GetProperty("action").GetString());

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!host.Notifier.Notices.Any(n => n.Certificate.SerialNumber == serial) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        var notice = Assert.Single(host.Notifier.Notices, n => n.Certificate.SerialNumber == serial);
        Assert.Equal(RenewalNoticeReason.AutoRenewOff, notice.Reason);
        Assert.Null((await Store.GetAsync(serial))!.SuccessorSerial);
    }

    [Fact]
    public async Task Unknown_unissued_revoked_and_expired_certificates_and_non_admins_are_refused_with_problems_and_nothing_is_queued()
    {
        var (revoked, _) = await IssueAsync("early-revoked.internal");
        using (var revoke = await host.Client.PostAsJsonAsync($"/api/certificates/{revoked}/revoke", new { reason = "keyCompromise" }))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        var (expired, _) = await IssueAsync("early-expired.internal", validityDays: 1);
        var (other, _) = await IssueAsync("early-other.internal", autoRenew: false);

        // Reserved, never signed: a serial whose record says issuing.
        var now = host.Time.GetUtcNow();
        var bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        bytes[0] = (byte)(0x40 | (bytes[0] & 0x3f)); // positive, no leading zero: already in the normalized form serials are stored in
        var issuing = Convert.ToHexString(bytes).ToLowerInvariant();
        Assert.NotNull(await Store.TryReserveAsync(new CertificateRecord(issuing, host.IssuingId, CertificateStatus.Issuing, "tls-server", "alice@corp.internal", "CN=early-issuing.internal", now, now.AddDays(10), "early-issuing-request", now, Team: "platform")));

        await (await host.Client.PostAsync("/api/certificates/0badc0ffee0badc0ffee/renew-early", null)).AssertProblemAsync(HttpStatusCode.NotFound, "unknown-certificate");
        await (await host.Client.PostAsync("/api/certificates/not-hex/renew-early", null)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-serial");
        await (await host.Client.PostAsync($"/api/certificates/{revoked}/renew-early", null)).AssertProblemAsync(HttpStatusCode.Conflict, "certificate-revoked");
        await (await host.Client.PostAsync($"/api/certificates/{issuing}/renew-early", null)).AssertProblemAsync(HttpStatusCode.Conflict, "certificate-not-issued");

        // A requester (even of the owning team) and an auditor lack ManageAllTeams.
        foreach (var caller in new[] { TestCallers.PaymentsRequester, TestCallers.Auditor, TestCallers.NoRole })
        {
            using var client = caller.Client(host.BaseAddress);
            await (await client.PostAsync($"/api/certificates/{other}/renew-early", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-permission");
        }

        // Two days later the one-day certificate has expired.
        host.Time.Advance(TimeSpan.FromDays(2));
        await (await host.Client.PostAsync($"/api/certificates/{expired}/renew-early", null)).AssertProblemAsync(HttpStatusCode.Conflict, "certificate-expired");

        // Each refusal is audited as such, and none reached the renewer: no notice, no successor.
        var audit = await host.App.Services.GetRequiredService<IAuditStore>().ReadAllAsync().ToListAsync();
        var refusals = audit.Where(r => r.Action == AuditActions.RenewEarly).Select(r => (r.Outcome, r.ProblemType, r.SerialNumber)).ToArray();
        Assert.Contains((AuditOutcomes.Refused, "unknown-certificate", "0badc0ffee0badc0ffee"), refusals);
        Assert.Contains((AuditOutcomes.Refused, "certificate-revoked", revoked), refusals);
        Assert.Contains((AuditOutcomes.Refused, "certificate-not-issued", issuing), refusals);
        Assert.Contains((AuditOutcomes.Refused, "certificate-expired", expired), refusals);
        Assert.DoesNotContain(refusals, r => r.Outcome == AuditOutcomes.Succeeded && (r.SerialNumber == revoked || r.SerialNumber == expired || r.SerialNumber == issuing || r.SerialNumber == other));
        Assert.Equal(3, audit.Count(r => r.Action == AuditActions.Access && r.ProblemType == "missing-permission" && r.Actor.Id is "payments-bot" or "audrey-auditor" or "nobody"
            && r.Time >= now));
        await Task.Delay(TimeSpan.FromSeconds(2)); // past the host's queue polling interval (0.5 s): a queued message would have been handled
        Assert.DoesNotContain(host.Notifier.Notices, n => n.Certificate.SerialNumber == other || n.Certificate.SerialNumber == expired || n.Certificate.SerialNumber == revoked);
        foreach (var serial in new[] { revoked, expired, other })
        {
            Assert.Null((await Store.GetAsync(serial))!.SuccessorSerial);
        }
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, string? Location)> PressAsync(string serial)
    {
        using var response = await host.Client.PostAsync($"/api/certificates/{serial}/renew-early", null);
        var body = await response.JsonAsync();
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        return (response.StatusCode, body, response.Headers.Location?.OriginalString);
    }

    private async Task<int> CountIssuedSuccessorsAsync(string serial)
    {
        var table = new Azure.Data.Tables.TableClient(TestEnvironment.StorageConnectionString, host.TablePrefix + TableNames.Certificates);
        var signed = 0;
        await foreach (var _ in table.QueryAsync<Azure.Data.Tables.TableEntity>(
            Azure.Data.Tables.TableClient.CreateQueryFilter($"PredecessorSerial eq {serial} and Status eq {nameof(CertificateStatus.Issued)}")))
        {
            signed++;
        }

        return signed;
    }

    private static string PublicKey(string certificatePath) =>
        Openssl.Run("x509", "-in", certificatePath, "-noout", "-pubkey").EnsureSuccess().Stdout;

    private async Task<(string Serial, string LeafPath)> IssueAsync(string name, bool? autoRenew = null, int? validityDays = null)
    {
        var key = _ssl.NewKey(name + ".key", "ec:P-256");
        var body = new JsonObject { ["csr"] = _ssl.NewCsr(key, "/CN=" + name, "DNS:" + name), ["profile"] = "tls-server", ["owner"] = "alice@corp.internal" };
        if (autoRenew is not null)
        {
            body["autoRenew"] = autoRenew;
        }

        if (validityDays is not null)
        {
            body["validityDays"] = validityDays;
        }

        using var response = await host.Client.PostAsJsonAsync("/api/certificates", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var issued = JsonDocument.Parse(text).RootElement;
        return (issued.GetProperty("serialNumber").GetString()!, _ssl.Write(name + ".pem", issued.GetProperty("certificatePem").GetString()!));
    }
}
