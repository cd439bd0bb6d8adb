using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pki.Core.Authority;
using Pki.Core.Delivery;
using Pki.Core.Discovery.KeyVault;
using Pki.Core.Events;
using Pki.Core.Renewal;
using Pki.Core.Storage;
using Pki.Functions;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Issue 18: certificates delivered to Key Vault, on the dev host against the Key Vault double. The vault makes the key
/// and the CSR, our RA and CA sign, the vault merges; openssl judges what ends up in the vault.
/// </summary>
public sealed class KeyVaultDeliveryTests(KeyVaultDeliveryHostFixture host) : IClassFixture<KeyVaultDeliveryHostFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Openssl _ssl = new();
    private readonly List<CloudEvent> _events = [];

    public void Dispose() => _ssl.Dispose();

    private KeyVaultDouble Vault => host.Vault;

    private ICertificateStore Store => host.App.Services.GetRequiredService<ICertificateStore>();

    [Fact]
    public async Task Enrollment_makes_the_key_in_the_vault_and_merges_a_certificate_that_openssl_verifies_for_the_vaults_csr()
    {
        var name = TestEnvironment.UniqueId("web-");
        var (status, body) = await EnrollAsync(name, autoRenew: false);

        Assert.True(status == HttpStatusCode.Created, body + " " + host.ErrorLog());
        Assert.Equal("delivered", body.GetProperty("status").GetString());
        Assert.Equal($"{Vault.VaultUri.GetLeftPart(UriPartial.Authority)}/certificates/{name}", body.GetProperty("certificateId").GetString());
        var serial = body.GetProperty("serialNumber").GetString()!;
        Assert.Equal(serial, body.GetProperty("certificate").GetProperty("serialNumber").GetString());

        // What the vault serves now is the certificate we issued, and openssl accepts it under our root, strictly.
        var current = Vault.CurrentDer(name)!;
        var leaf = _ssl.Write("leaf.pem", Pem.Certificate(current));
        Assert.Equal(body.GetProperty("certificate").GetProperty("certificatePem").GetString(), Pem.Certificate(current));
        VerifyStrict(leaf, current);
        Assert.Contains($"DNS:{name}.internal", Openssl.Run("x509", "-in", leaf, "-noout", "-ext", "subjectAltName").EnsureSuccess().Stdout);

        // Its key is the one the vault made: the public key of the vault's CSR (read by openssl), not one from us.
        var csr = _ssl.Write("vault.csr", Assert.Single(Vault.Csrs(name)));
        Openssl.Run("req", "-inform", "DER", "-in", csr, "-noout", "-verify").EnsureSuccess();
        Assert.Equal(PublicKeyOfCsr(csr), PublicKeyOf(leaf));

        // Asked with the issuer Unknown and a key that stays in the vault; merged once, with the issuing CA after the leaf.
        var create = JsonNode.Parse(Vault.Requests.Last(r => r.Method == "POST" && r.Path == $"/certificates/{name}/create" && r.HasToken).Body)!;
        Assert.Equal("Unknown", (string?)create["policy"]!["issuer"]!["name"]);
        Assert.False((bool)create["policy"]!["key_props"]!["exportable"]!);
        Assert.Contains("1.3.6.1.5.5.7.3.1", create["policy"]!["x509_props"]!["ekus"]!.AsArray().Select(e => (string?)e));
        var merge = JsonNode.Parse(Vault.Requests.Single(r => r.Path == $"/certificates/{name}/pending/merge" && r.HasToken).Body)!;
        Assert.Equal(2, merge["x5c"]!.AsArray().Count);
        Assert.Equal(1, Vault.MergeCount(name));

        var delivery = await host.Client.GetJsonAsync($"/api/certificates/{serial}/delivery");
        Assert.Equal("delivered", delivery.GetProperty("status").GetString());
        Assert.Equal(name, delivery.GetProperty("certificateName").GetString());
        Assert.Equal(0, await OpenOperationsAsync(name));
    }

    [Fact]
    public async Task A_request_policy_or_configuration_refuses_leaves_nothing_in_the_vault_or_in_storage()
    {
        var name = TestEnvironment.UniqueId("refused-");

        // The name policy allows no name under example.com.
        var (status, body) = await EnrollAsync(name, dnsName: name + ".example.com");
        Assert.True(status == HttpStatusCode.Forbidden, body + " " + host.ErrorLog());
        Assert.Equal("name-not-allowed", ProblemType(body));

        (status, body) = await EnrollAsync(name, vaultUri: "https://elsewhere.vault.azure.net/");
        Assert.True(status == HttpStatusCode.UnprocessableEntity, body + " " + host.ErrorLog());
        Assert.Equal("vault-not-a-target", ProblemType(body));

        // The vault is team platform's: another team's requester cannot deliver there.
        using (var web = TestCallers.WebRequester.Client(host.BaseAddress))
        {
            using var response = await web.PostAsJsonAsync("/api/delivery/keyvault", new
            {
                vaultUri = Vault.VaultUri.ToString(), certificateName = name, profile = "tls-server", owner = "wendy@corp.internal", dnsNames = new[] { "app.web.internal" },
            });
            await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "vault-not-a-target");
        }

        (status, body) = await EnrollAsync("not_a/name");
        Assert.True(status == HttpStatusCode.BadRequest, body + " " + host.ErrorLog());
        Assert.Equal("invalid-delivery-target", ProblemType(body));

        (status, body) = await EnrollAsync(name, keyType: "RSA-HSM", exportable: true);
        Assert.True(status == HttpStatusCode.BadRequest, body + " " + host.ErrorLog());

        Assert.DoesNotContain(Vault.Requests, r => r.Path.StartsWith($"/certificates/{name}", StringComparison.Ordinal));
        Assert.Equal(0, await OpenOperationsAsync(name));
    }

    [Fact]
    public async Task A_vault_that_refuses_the_service_is_retried_with_backoff_and_delivers_once_the_role_is_granted()
    {
        var name = TestEnvironment.UniqueId("denied-");
        Vault.Deny("create");
        HttpStatusCode status;
        JsonElement body;
        try
        {
            (status, body) = await EnrollAsync(name, autoRenew: false);
        }
        finally
        {
            Vault.Allow("create");
        }

        // Accepted, not failed: the operation waits, and says what the operator must fix.
        Assert.True(status == HttpStatusCode.Accepted, body + " " + host.ErrorLog());
        Assert.Equal("pending", body.GetProperty("status").GetString());
        var operation = body.GetProperty("operation");
        Assert.Equal(1, operation.GetProperty("attempts").GetInt32());
        Assert.Contains("HTTP 403", operation.GetProperty("lastError").GetString());
        Assert.Contains("Key Vault Certificates Officer", operation.GetProperty("lastError").GetString());
        var next = operation.GetProperty("nextAttemptAt").GetDateTimeOffset();
        Assert.Equal(1, await OpenOperationsAsync(name));

        // Before its wait is over the resume pass leaves it; after it, the pass delivers it.
        await ResumeAsync();
        Assert.Null(Vault.CurrentDer(name));
        Assert.True(next - await ClockAsync() >= TimeSpan.FromSeconds(50), $"next attempt at {next}");
        await AdvanceClockAsync("PT2M");
        await ResumeAsync();

        var current = Vault.CurrentDer(name);
        Assert.NotNull(current);
        VerifyStrict(_ssl.Write("delivered.pem", Pem.Certificate(current)), current);
        Assert.Equal(0, await OpenOperationsAsync(name));
        Assert.Equal(1, Vault.MergeCount(name));
    }

    [Fact]
    public async Task A_refused_merge_is_a_delivery_failed_finding_on_the_certificate_that_a_sweep_keeps_and_the_delivery_clears_and_the_owner_is_mailed_what_failed()
    {
        var name = TestEnvironment.UniqueId("unmerged-");
        Vault.Deny("merge");
        string serial;
        string fingerprint;
        try
        {
            var (status, body) = await EnrollAsync(name, autoRenew: false);
            Assert.True(status == HttpStatusCode.Accepted, body + " " + host.ErrorLog());
            serial = body.GetProperty("serialNumber").GetString()!;
            fingerprint = DiscoveryClient.Fingerprint((await Store.GetAsync(serial))!.CertificateDer!);

            // Signed here, refused there: the finding on the certificate says where, how often and what to grant.
            var finding = await FindingAsync(fingerprint, "delivery-failed");
            Assert.NotNull(finding);
            Assert.Equal("high", finding.Value.GetProperty("severity").GetString(), ignoreCase: true);
            var message = finding.Value.GetProperty("message").GetString()!;
            Assert.Contains($"'{name}' in {Vault.VaultUri}", message);
            Assert.Contains("1 failed attempt,", message);
            Assert.Contains("HTTP 403", message);
            Assert.Contains("Key Vault Certificates Officer", message);
            Assert.Contains(fingerprint, await ListedWithAsync("delivery-failed"));
            var location = (await host.Client.GetJsonAsync($"/api/inventory/{fingerprint}")).GetProperty("locations").EnumerateArray()
                .Single(l => l.GetProperty("kind").GetString() == "delivery");
            Assert.Equal($"{Vault.VaultUri.Authority}/certificates/{name}", location.GetProperty("location").GetString());

            // The owner is mailed once, through the SMTP server, with the vault, the name, the refusal and what to do.
            var mail = await host.Smtp.WaitForAsync(m => (m.Subject ?? "").Contains($"'{name}'", StringComparison.Ordinal));
            Assert.Equal($"Key Vault delivery failing: certificate '{name}' in vault {Vault.VaultUri.Host}", mail.Subject);
            Assert.Equal("alice@corp.internal", Assert.Single(mail.To.Mailboxes).Address);
            Assert.Contains($"Certificate {serial} was issued but not delivered to Key Vault certificate {Vault.VaultUri.GetLeftPart(UriPartial.Authority)}/certificates/{name}", mail.TextBody);
            Assert.Contains($"Vault: {Vault.VaultUri}", mail.TextBody);
            Assert.Contains($"Certificate name: {name}", mail.TextBody);
            Assert.Matches("What failed: .*HTTP 403.*grant its identity 'Key Vault Certificates Officer' on the vault", mail.TextBody);
            Assert.Contains("What to do: Fix the cause above", mail.TextBody);
            Assert.Contains($"/api/certificates/{serial}/delivery", mail.HtmlBody);

            // A second failure updates the finding's count and mails nothing more; a sweep of the vault recomputes the
            // item's findings from its locations and keeps it.
            await AdvanceClockAsync("PT2M");
            await ResumeAsync();
            Assert.Contains("2 failed attempts,", (await FindingAsync(fingerprint, "delivery-failed"))!.Value.GetProperty("message").GetString());
            await host.Client.AddTargetAsync(new { kind = "keyvault", vaultUri = Vault.VaultUri.ToString() });
            await host.Client.SweepAsync(host.ErrorLog);
            Assert.NotNull(await FindingAsync(fingerprint, "delivery-failed"));
            Assert.Single(host.Smtp.Messages(), m => (m.Subject ?? "").Contains($"'{name}'", StringComparison.Ordinal));
        }
        finally
        {
            Vault.Allow("merge");
        }

        // The role granted: the next attempt merges, and the finding is gone from the item and the filtered list.
        await AdvanceClockAsync("PT5M");
        await ResumeAsync();
        Assert.Equal((await Store.GetAsync(serial))!.CertificateDer, Vault.CurrentDer(name));
        Assert.Null(await FindingAsync(fingerprint, "delivery-failed"));
        Assert.DoesNotContain(fingerprint, await ListedWithAsync("delivery-failed"));
        Assert.Equal(0, await OpenOperationsAsync(name));
    }

    [Fact]
    public async Task A_delivery_given_up_keeps_its_finding_saying_so_and_tells_the_owner_until_a_later_delivery_to_the_same_vault_certificate()
    {
        var name = TestEnvironment.UniqueId("given-up-");
        Vault.Deny("merge");
        string fingerprint;
        try
        {
            var (status, body) = await EnrollAsync(name, autoRenew: false);
            Assert.True(status == HttpStatusCode.Accepted, body + " " + host.ErrorLog());
            fingerprint = DiscoveryClient.Fingerprint((await Store.GetAsync(body.GetProperty("serialNumber").GetString()!))!.CertificateDer!);

            // Pki:Delivery:MaxAttempts (24) failures, each after its wait (at most an hour): then nothing retries it.
            for (var attempt = 2; attempt <= 24 && await OpenOperationsAsync(name) == 1; attempt++)
            {
                await AdvanceClockAsync("PT2H");
                await ResumeAsync();
            }

            Assert.Equal(0, await OpenOperationsAsync(name));
        }
        finally
        {
            Vault.Allow("merge");
        }

        // An operator expects a delivery given up to stay visible: nothing retries it and the vault lacks the certificate.
        var message = (await FindingAsync(fingerprint, "delivery-failed"))!.Value.GetProperty("message").GetString()!;
        Assert.Contains("given up after 24 attempts", message);
        Assert.Contains("HTTP 403", message);
        var mail = await host.Smtp.WaitForAsync(m => (m.Subject ?? "").StartsWith("Key Vault delivery given up", StringComparison.Ordinal) && m.Subject!.Contains($"'{name}'", StringComparison.Ordinal));
        Assert.Contains("It was given up after 24 attempts: nothing retries it any more.", mail.TextBody);
        Assert.Contains("What to do: Fix the cause above, then enroll again", mail.TextBody);
        Assert.Equal(2, host.Smtp.Messages().Count(m => (m.Subject ?? "").Contains($"'{name}'", StringComparison.Ordinal)));

        // The role granted and the certificate enrolled again: the vault serves a certificate of ours, the old finding clears.
        await AdvanceClockAsync("PT1M");
        var (again, delivered) = await EnrollAsync(name, autoRenew: false);
        Assert.True(again == HttpStatusCode.Created, delivered + " " + host.ErrorLog());
        Assert.Null(await FindingAsync(fingerprint, "delivery-failed"));
        Assert.DoesNotContain(fingerprint, await ListedWithAsync("delivery-failed"));
    }

    [Fact]
    public async Task A_vault_that_keeps_throttling_beyond_the_clients_retries_is_tried_again_later()
    {
        var name = TestEnvironment.UniqueId("busy-");

        // The call and its one retry both get 429 with Retry-After.
        Vault.Throttle(2);
        var (status, body) = await EnrollAsync(name, autoRenew: false);
        Assert.True(status == HttpStatusCode.Accepted, body + " " + host.ErrorLog());
        Assert.Contains("HTTP 429", body.GetProperty("operation").GetProperty("lastError").GetString());
        Assert.False(Vault.IsPending(name));

        await AdvanceClockAsync("PT2M");
        await ResumeAsync();
        Assert.NotNull(Vault.CurrentDer(name));
        Assert.Equal(1, Vault.MergeCount(name));
        Assert.Equal(0, await OpenOperationsAsync(name));
    }

    [Fact]
    public async Task A_restart_between_create_and_merge_resumes_from_storage_and_merges_once()
    {
        var name = TestEnvironment.UniqueId("crash-");

        // The merge never answers (the process "dies" there twice: the call and its one retry).
        Vault.AbortMerges(2, afterMerging: false);
        var (status, body) = await EnrollAsync(name, autoRenew: false);
        Assert.True(status == HttpStatusCode.Accepted, body + " " + host.ErrorLog());
        var serial = body.GetProperty("serialNumber").GetString()!;
        Assert.True(Vault.IsPending(name));
        Assert.Null(Vault.CurrentDer(name));

        // Issued here, not in the vault yet; the operation's row holds the serial, so nothing is signed again.
        Assert.Equal(CertificateStatus.Issued, (await Store.GetAsync(serial))!.Status);
        var row = await OperationRowAsync(name);
        Assert.Equal(serial, row!.GetString("SerialNumber"));

        // Another host on the same storage (the process after a restart) resumes it from the row.
        await AdvanceClockAsync("PT2M");
        await ResumeOnAnotherHostAsync();

        Assert.Equal((await Store.GetAsync(serial))!.CertificateDer, Vault.CurrentDer(name));
        Assert.Single(Vault.Csrs(name));
        Assert.Equal(1, Vault.MergeCount(name));
        Assert.Equal(0, await OpenOperationsAsync(name));

        // A merge whose answer is lost after the vault stored it: the retry finds nothing pending, the current version is ours.
        var other = TestEnvironment.UniqueId("lost-");
        Vault.AbortMerges(1, afterMerging: true);
        (status, body) = await EnrollAsync(other, autoRenew: false);
        Assert.True(status == HttpStatusCode.Created, body + " " + host.ErrorLog());
        Assert.Equal(1, Vault.MergeCount(other));
        Assert.Equal(1, Vault.VersionCount(other));
    }

    [Fact]
    public async Task The_owning_team_or_an_admin_changes_the_target_and_another_team_cannot_see_it()
    {
        var name = TestEnvironment.UniqueId("moved-");
        var (status, body) = await EnrollAsync(name, autoRenew: false);
        Assert.True(status == HttpStatusCode.Created, body + " " + host.ErrorLog());
        var serial = body.GetProperty("serialNumber").GetString()!;

        using var web = TestCallers.WebRequester.Client(host.BaseAddress);
        await (await web.PutAsJsonAsync($"/api/certificates/{serial}/delivery", new { vaultUri = Vault.VaultUri.ToString(), certificateName = "stolen" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "unknown-certificate");
        await (await host.Client.PutAsJsonAsync($"/api/certificates/{serial}/delivery", new { vaultUri = "https://elsewhere.vault.azure.net/", certificateName = "x" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "vault-not-a-target");

        using var moved = await host.Client.PutAsJsonAsync($"/api/certificates/{serial}/delivery", new { vaultUri = Vault.VaultUri.ToString(), certificateName = name + "-v2" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var delivery = await host.Client.GetJsonAsync($"/api/certificates/{serial}/delivery");
        Assert.Equal(name + "-v2", delivery.GetProperty("certificateName").GetString());
    }

    [Fact]
    public async Task A_renewal_pass_on_a_moved_clock_delivers_a_new_version_with_a_new_key_and_the_finding_clears_when_it_is_current()
    {
        var name = TestEnvironment.UniqueId("renew-");
        var (status, body) = await EnrollAsync(name, keyType: "EC-HSM", keySize: 384);
        Assert.True(status == HttpStatusCode.Created, body + " " + host.ErrorLog());
        var serial = body.GetProperty("serialNumber").GetString()!;
        var first = Vault.CurrentDer(name)!;
        await host.Client.AddTargetAsync(new { kind = "keyvault", vaultUri = Vault.VaultUri.ToString() });
        Assert.DoesNotContain("renewed-not-deployed", await FindingsAsync(first));

        // Day 32 of 47, with the vault refusing merges: the renewal pass issues the successor, which cannot land yet.
        Vault.Deny("merge");
        string successorSerial;
        try
        {
            await AdvanceClockAsync("P32D");
            await RunAsync(nameof(Renewals.PlanRenewals));
            successorSerial = await WaitForAsync(async () => (await Store.GetAsync(serial))?.SuccessorSerial is { } s
                && (await Store.GetAsync(s))?.Status == CertificateStatus.Issued ? s : null, "a successor of " + serial);
            await WaitForAsync(async () => await OperationRowAsync(name) is { } row && row.GetInt32("Attempts") >= 1 ? row : null, "the renewal's failed merge");
            Assert.Equal(first, Vault.CurrentDer(name));

            // The vault still serves the predecessor: the sweep says so, and its owner was told.
            await host.Client.SweepAsync(host.ErrorLog);
            Assert.Contains("renewed-not-deployed", await FindingsAsync(first));
            var mail = await host.Smtp.WaitForAsync(m => (m.Subject ?? "").Contains($"'{name}'", StringComparison.Ordinal));
            Assert.Contains($"The renewal of certificate {serial} was not delivered", mail.TextBody);
            Assert.Contains($"Successor serial number: {successorSerial}", mail.TextBody);

            // The predecessor the vault serves and the successor waiting for its merge both carry the finding.
            Assert.Contains("delivery-failed", await FindingsAsync(first));
            Assert.Contains("delivery-failed", await FindingsAsync((await Store.GetAsync(successorSerial))!.CertificateDer!));
            var pending = await host.Client.GetJsonAsync($"/api/certificates/{serial}/delivery");
            Assert.Equal("pending", pending.GetProperty("status").GetString());
            Assert.Contains("HTTP 403", pending.GetProperty("operation").GetProperty("lastError").GetString());
        }
        finally
        {
            Vault.Allow("merge");
        }

        // The role granted, the resume timer merges the successor: a second version, current, on a new key.
        await AdvanceClockAsync("PT2H");
        await RunAsync(nameof(ResumeDeliveries));
        var second = await WaitForAsync(() => Task.FromResult(Vault.CurrentDer(name) is { } d && !d.SequenceEqual(first) ? d : null), "the successor in the vault");
        var successor = (await Store.GetAsync(successorSerial))!;
        Assert.Equal(successor.CertificateDer, second);
        Assert.Equal(serial, successor.PredecessorSerial);
        Assert.Equal(2, Vault.VersionCount(name));
        var renewedPem = _ssl.Write("renewed.pem", Pem.Certificate(second));
        VerifyStrict(renewedPem, second);
        Assert.NotEqual(PublicKeyOf(_ssl.Write("first.pem", Pem.Certificate(first))), PublicKeyOf(renewedPem));
        Assert.Equal(PublicKeyOfCsr(_ssl.Write("second.csr", Vault.Csrs(name)[1])), PublicKeyOf(renewedPem));

        // The new key is of the kind enrolled: an HSM key on P-384, not exportable.
        var creates = Vault.Requests.Where(r => r.Method == "POST" && r.Path == $"/certificates/{name}/create" && r.HasToken).Select(r => JsonNode.Parse(r.Body)!["policy"]!["key_props"]!).ToList();
        Assert.Equal(2, creates.Count);
        Assert.All(creates, k => Assert.Equal(("EC-HSM", "P-384", false), ((string?)k["kty"], (string?)k["crv"], (bool)k["exportable"]!)));
        Assert.Contains("ASN1 OID: secp384r1", Openssl.Run("x509", "-in", renewedPem, "-noout", "-text").EnsureSuccess().Stdout);

        // The renewed event names the predecessor and where the successor went.
        var renewed = await WaitForAsync(async () => (await EventsAsync()).FirstOrDefault(e => e.Type == LifecycleEventTypes.Renewed && e.Subject == successorSerial), "the renewed event");
        Assert.Equal(serial, renewed.Data.PredecessorSerialNumber);
        Assert.Equal($"{Vault.VaultUri.GetLeftPart(UriPartial.Authority)}/certificates/{name}", renewed.Data.DeliveryTarget);

        // The next sweep sees the successor as the vault's current version: the finding is gone.
        await host.Client.SweepAsync(host.ErrorLog);
        Assert.DoesNotContain("renewed-not-deployed", await FindingsAsync(first));
        Assert.DoesNotContain("renewed-not-deployed", await FindingsAsync(second));
        Assert.DoesNotContain("delivery-failed", await FindingsAsync(first));
        Assert.DoesNotContain("delivery-failed", await FindingsAsync(second));
        Assert.Equal(successorSerial, (await host.Client.GetJsonAsync($"/api/certificates/{successorSerial}/delivery")).GetProperty("serialNumber").GetString());
    }

    [Fact]
    public async Task Renewing_early_a_certificate_delivered_to_a_vault_lands_one_new_version_with_a_new_key()
    {
        var name = TestEnvironment.UniqueId("early-");
        var (status, body) = await EnrollAsync(name);
        Assert.True(status == HttpStatusCode.Created, body + " " + host.ErrorLog());
        var serial = body.GetProperty("serialNumber").GetString()!;
        var first = Vault.CurrentDer(name)!;

        // Long before it is due, an admin renews it early: queued, and the renewer renews it in its vault.
        using (var press = await host.Client.PostAsync($"/api/certificates/{serial}/renew-early", null))
        {
            var answer = await press.JsonAsync();
            Assert.True(press.StatusCode == HttpStatusCode.Accepted, answer.ToString());
            Assert.Equal(EarlyRenewalActions.KeyVault, answer.GetProperty("action").GetString());
        }

        var second = await WaitForAsync(() => Task.FromResult(Vault.CurrentDer(name) is { } d && !d.SequenceEqual(first) ? d : null), "the early successor in the vault");
        var successorSerial = (await Store.GetAsync(serial))!.SuccessorSerial!;
        var successor = (await Store.GetAsync(successorSerial))!;
        Assert.Equal(successor.CertificateDer, second);
        Assert.Equal(serial, successor.PredecessorSerial);
        var renewedPem = _ssl.Write("early-renewed.pem", Pem.Certificate(second));
        VerifyStrict(renewedPem, second);
        Assert.NotEqual(PublicKeyOf(_ssl.Write("early-first.pem", Pem.Certificate(first))), PublicKeyOf(renewedPem));
        Assert.Equal(PublicKeyOfCsr(_ssl.Write("early-second.csr", Vault.Csrs(name)[1])), PublicKeyOf(renewedPem));

        // Pressed again, or its message delivered again: nothing more in the vault.
        await (await host.Client.PostAsync($"/api/certificates/{serial}/renew-early", null)).AssertProblemAsync(HttpStatusCode.Conflict, "certificate-already-renewed");
        Assert.Equal(RenewalOutcome.AlreadyRenewed, await host.App.Services.GetRequiredService<RenewalService>().RenewAsync(new RenewalMessage(serial)));
        Assert.Equal(2, Vault.VersionCount(name));
        Assert.Equal(2, Vault.Csrs(name).Count);
    }

    [Fact]
    public async Task A_profile_that_requires_approval_holds_the_vaults_csr_for_an_approver_and_a_restarted_host_merges_the_approved_certificate_once()
    {
        var name = TestEnvironment.UniqueId("held-");
        using var response = await host.Client.PostAsJsonAsync("/api/delivery/keyvault", EnrollmentBody(name, "tls-client", autoRenew: false));
        var body = await response.JsonAsync();

        // Held, not refused: the vault made the key and its CSR, and the CSR waits as a request for approval.
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body + " " + host.ErrorLog());
        Assert.Equal("pending", body.GetProperty("status").GetString());
        var requestId = body.GetProperty("operation").GetProperty("approvalRequestId").GetString()!;
        Assert.Equal($"/api/requests/{requestId}", response.Headers.Location?.OriginalString);
        Assert.Equal(0, body.GetProperty("operation").GetProperty("attempts").GetInt32());
        Assert.True(Vault.IsPending(name));
        Assert.Null(Vault.CurrentDer(name));

        using var approver = TestCallers.Approver.Client(host.BaseAddress);
        var pending = await approver.GetJsonAsync("/api/requests?status=pending&team=platform&pageSize=200");
        var listed = pending.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("requestId").GetString() == requestId);
        Assert.Equal("tls-client", listed.GetProperty("profile").GetString());
        Assert.Equal(TestCallers.Admin.Identity, listed.GetProperty("requestedBy").GetString());
        Assert.Equal([name + ".internal"], listed.GetProperty("names").EnumerateArray().Select(n => n.GetString()));

        // Undecided, the resume pass waits: no attempt, no merge, the vault's pending operation stays.
        await ResumeAsync();
        Assert.Equal(0, (await OperationRowAsync(name))!.GetInt32("Attempts"));
        Assert.Equal(0, Vault.MergeCount(name));
        Assert.True(Vault.IsPending(name));

        // The requester cannot approve it; another approver does, which signs the vault's CSR.
        await (await host.Client.PostAsync($"/api/requests/{requestId}/approve", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "self-approval");
        using var approved = await approver.PostAsync($"/api/requests/{requestId}/approve", null);
        var certificate = await approved.JsonAsync();
        Assert.True(approved.StatusCode == HttpStatusCode.Created, certificate + " " + host.ErrorLog());
        var serial = certificate.GetProperty("serialNumber").GetString()!;
        var leaf = _ssl.Write("held.pem", certificate.GetProperty("certificatePem").GetString()!);
        Assert.Equal(PublicKeyOfCsr(_ssl.Write("held.csr", Assert.Single(Vault.Csrs(name)))), PublicKeyOf(leaf));

        // The process stops before its resume pass; another host on the same storage merges the approved certificate.
        await ResumeOnAnotherHostAsync();

        var current = Vault.CurrentDer(name);
        Assert.Equal((await Store.GetAsync(serial))!.CertificateDer, current);
        VerifyStrict(leaf, current!, "sslclient");
        Assert.Equal(0, await OpenOperationsAsync(name));

        // Another pass and a repeated approval change nothing: one certificate, merged once.
        await ResumeAsync();
        using var again = await approver.PostAsync($"/api/requests/{requestId}/approve", null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(serial, (await again.JsonAsync()).GetProperty("serialNumber").GetString());
        Assert.Equal(1, Vault.MergeCount(name));
        Assert.Equal(1, Vault.VersionCount(name));
        Assert.Equal("delivered", (await host.Client.GetJsonAsync($"/api/certificates/{serial}/delivery")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_rejected_key_vault_request_deletes_the_vaults_pending_operation_and_signs_nothing()
    {
        var name = TestEnvironment.UniqueId("rejected-");
        using var response = await host.Client.PostAsJsonAsync("/api/delivery/keyvault", EnrollmentBody(name, "tls-client", autoRenew: false));
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body + " " + host.ErrorLog());
        var requestId = body.GetProperty("operation").GetProperty("approvalRequestId").GetString()!;
        Assert.True(Vault.IsPending(name));

        using var approver = TestCallers.Approver.Client(host.BaseAddress);
        using var rejected = await approver.PostAsJsonAsync($"/api/requests/{requestId}/reject", new { reason = "not for this vault" });
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);

        await ResumeAsync();
        Assert.False(Vault.IsPending(name));
        Assert.Null(Vault.CurrentDer(name));
        Assert.Equal(0, Vault.MergeCount(name));
        Assert.Equal(0, await OpenOperationsAsync(name));
        var request = await approver.GetJsonAsync($"/api/requests/{requestId}");
        Assert.Equal("rejected", request.GetProperty("status").GetString());
        Assert.False(request.TryGetProperty("serialNumber", out var s) && s.ValueKind == JsonValueKind.String, request.ToString());

        // The vault certificate is free again: the next enrollment for it is held as a new request.
        using var retry = await host.Client.PostAsJsonAsync("/api/delivery/keyvault", EnrollmentBody(name, "tls-client", autoRenew: false));
        var retried = await retry.JsonAsync();
        Assert.True(retry.StatusCode == HttpStatusCode.Accepted, retried + " " + host.ErrorLog());
        Assert.NotEqual(requestId, retried.GetProperty("operation").GetProperty("approvalRequestId").GetString());
    }

    [Fact]
    public async Task A_renewal_of_a_profile_that_requires_approval_is_held_and_once_approved_lands_as_the_vaults_new_version_linked_to_its_predecessor()
    {
        var name = TestEnvironment.UniqueId("held-renew-");
        using var response = await host.Client.PostAsJsonAsync("/api/delivery/keyvault", EnrollmentBody(name, "tls-client", autoRenew: true));
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body + " " + host.ErrorLog());
        using var approver = TestCallers.Approver.Client(host.BaseAddress);
        string serial;
        using (var first = await approver.PostAsync($"/api/requests/{body.GetProperty("operation").GetProperty("approvalRequestId").GetString()}/approve", null))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
            serial = (await first.JsonAsync()).GetProperty("serialNumber").GetString()!;
        }

        await ResumeAsync();
        var firstDer = Vault.CurrentDer(name)!;
        Assert.Equal((await Store.GetAsync(serial))!.CertificateDer, firstDer);

        // Due: the renewal pass starts a new version in the vault and holds its CSR for approval, requested by the service.
        await AdvanceClockAsync("P32D");
        await RunAsync(nameof(Renewals.PlanRenewals));
        var row = await WaitForAsync(async () => await OperationRowAsync(name) is { } r && r.GetString("ApprovalRequestId") is not null ? r : null, "the renewal held for approval");
        var renewalRequest = row.GetString("ApprovalRequestId");
        var held = await approver.GetJsonAsync($"/api/requests/{renewalRequest}");
        Assert.Equal("pending", held.GetProperty("status").GetString());
        Assert.Equal(KeyVaultDelivery.RenewalRequesterId, held.GetProperty("requestedBy").GetString());
        Assert.Equal(2, Vault.Csrs(name).Count);
        Assert.Equal(firstDer, Vault.CurrentDer(name));

        using (var second = await approver.PostAsync($"/api/requests/{renewalRequest}/approve", null))
        {
            Assert.True(second.StatusCode == HttpStatusCode.Created, await second.Content.ReadAsStringAsync() + " " + host.ErrorLog());
        }

        await ResumeAsync();
        var secondDer = Vault.CurrentDer(name)!;
        Assert.False(secondDer.SequenceEqual(firstDer));
        Assert.Equal(2, Vault.VersionCount(name));
        Assert.Equal(serial, row.GetString("PredecessorSerial"));
        var predecessor = (await Store.GetAsync(serial))!;
        Assert.Equal(firstDer, predecessor.CertificateDer);
        var successor = (await Store.GetAsync(predecessor.SuccessorSerial!))!;
        Assert.Equal(secondDer, successor.CertificateDer);
        Assert.Equal(predecessor.SerialNumber, successor.PredecessorSerial);
        var renewedPem = _ssl.Write("held-renewed.pem", Pem.Certificate(secondDer));
        VerifyStrict(renewedPem, secondDer, "sslclient");
        Assert.Equal(PublicKeyOfCsr(_ssl.Write("held-second.csr", Vault.Csrs(name)[1])), PublicKeyOf(renewedPem));
        var renewed = await WaitForAsync(async () => (await EventsAsync()).FirstOrDefault(e => e.Type == LifecycleEventTypes.Renewed && e.Subject == successor.SerialNumber), "the renewed event");
        Assert.Equal(predecessor.SerialNumber, renewed.Data.PredecessorSerialNumber);
        Assert.Equal(0, await OpenOperationsAsync(name));
    }

    private JsonObject EnrollmentBody(string name, string profile, bool autoRenew) => new()
    {
        ["vaultUri"] = Vault.VaultUri.ToString(),
        ["certificateName"] = name,
        ["profile"] = profile,
        ["owner"] = "alice@corp.internal",
        ["dnsNames"] = new JsonArray(name + ".internal"),
        ["autoRenew"] = autoRenew,
    };

    private async Task<(HttpStatusCode Status, JsonElement Body)> EnrollAsync(
        string name, bool? autoRenew = null, string? dnsName = null, string? vaultUri = null, string? keyType = null, bool? exportable = null, int? keySize = null)
    {
        var body = new JsonObject
        {
            ["vaultUri"] = vaultUri ?? Vault.VaultUri.ToString(),
            ["certificateName"] = name,
            ["profile"] = "tls-server",
            ["owner"] = "alice@corp.internal",
            ["dnsNames"] = new JsonArray(dnsName ?? name + ".internal"),
        };
        if (autoRenew is not null)
        {
            body["autoRenew"] = autoRenew;
        }

        if (keyType is not null)
        {
            body["keyType"] = keyType;
        }

        if (exportable is not null)
        {
            body["exportable"] = exportable;
        }

        if (keySize is not null)
        {
            body["keySize"] = keySize;
        }

        using var response = await host.Client.PostAsJsonAsync("/api/delivery/keyvault", body);
        return (response.StatusCode, await response.JsonAsync());
    }

    private void VerifyStrict(string leafPem, byte[] der, string purpose = "sslserver")
    {
        var root = _ssl.Write("root.pem", host.Client.GetStringAsync($"/api/ca/{host.RootId}/certificate").GetAwaiter().GetResult());
        var issuing = _ssl.Write("issuing.pem", host.Client.GetStringAsync($"/api/ca/{host.IssuingId}/certificate").GetAwaiter().GetResult());

        // Judged an hour into its validity, so the verdict does not depend on today's date or the dev clock.
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        Openssl.AssertVerifies(root, issuing, leafPem, purpose, new DateTimeOffset(certificate.NotBefore.ToUniversalTime()).AddHours(1));
    }

    private static string PublicKeyOf(string certificatePem) => Openssl.Run("x509", "-in", certificatePem, "-noout", "-pubkey").EnsureSuccess().Stdout;

    private static string PublicKeyOfCsr(string csrDer) => Openssl.Run("req", "-inform", "DER", "-in", csrDer, "-noout", "-pubkey").EnsureSuccess().Stdout;

    private static string? ProblemType(JsonElement problem) => problem.TryGetProperty("type", out var type) ? type.GetString()?.Split(':')[^1] : null;

    private async Task<List<string>> FindingsAsync(byte[] der)
    {
        var item = await host.Client.GetJsonAsync($"/api/inventory/{DiscoveryClient.Fingerprint(der)}");
        return [.. item.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()!)];
    }

    private async Task<JsonElement?> FindingAsync(string fingerprint, string code)
    {
        var item = await host.Client.GetJsonAsync($"/api/inventory/{fingerprint}");
        return item.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("code").GetString() == code).Select(f => (JsonElement?)f).SingleOrDefault();
    }

    private async Task<List<string>> ListedWithAsync(string finding)
    {
        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await host.Client.GetJsonAsync($"/api/inventory?finding={finding}&pageSize=200" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)));
            listed.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("fingerprint").GetString()!));
            token = page.TryGetProperty("continuationToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (token is not null);
        return listed;
    }

    private async Task<int> OpenOperationsAsync(string name) => await OperationRowAsync(name) is null ? 0 : 1;

    private async Task<TableEntity?> OperationRowAsync(string name)
    {
        var table = new TableClient(TestEnvironment.StorageConnectionString, host.TablePrefix + TableNames.Deliveries);
        await table.CreateIfNotExistsAsync();
        var row = await table.GetEntityIfExistsAsync<TableEntity>("open", $"{Vault.VaultUri.Authority}|{name}");
        return row.HasValue ? row.Value : null;
    }

    private async Task ResumeAsync() => await host.App.Services.GetRequiredService<KeyVaultDelivery>().ResumeAsync();

    /// <summary>A second host on the same storage (the process after a restart) runs one resume pass, which must deliver.</summary>
    private async Task ResumeOnAnotherHostAsync()
    {
        var restarted = await DevHostFixture.StartAsync(host.TablePrefix, host.RootId, host.IssuingId,
            host.DeliveryArgs,
            services => services.Replace(ServiceDescriptor.Singleton<IKeyVaultClientFactory>(new KeyVaultClientFactory(Vault.Credential, Vault.ClientOptions(maxRetries: 1)))));
        try
        {
            var pass = await restarted.Services.GetRequiredService<KeyVaultDelivery>().ResumeAsync();
            Assert.True(pass.Delivered >= 1, pass.ToString());
        }
        finally
        {
            await restarted.StopAsync();
            await restarted.DisposeAsync();
        }
    }

    private async Task<DateTimeOffset> ClockAsync()
    {
        var clock = await host.Client.GetJsonAsync("/admin/clock");
        return clock.GetProperty("now").GetDateTimeOffset();
    }

    private async Task AdvanceClockAsync(string duration)
    {
        using var response = await host.Client.PostAsJsonAsync("/admin/clock", new { advance = duration });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task RunAsync(string function)
    {
        using var run = await host.Client.PostAsJsonAsync("/admin/functions/" + function, new { input = string.Empty });
        Assert.True(run.IsSuccessStatusCode, $"{(int)run.StatusCode} {host.ErrorLog()}");
    }

    /// <summary>Every event taken off this host's lifecycle-events queue so far by this test (taking, so more than a page is seen).</summary>
    private async Task<List<CloudEvent>> EventsAsync()
    {
        while (true)
        {
            using var response = await host.Client.PostAsync("/admin/events/take?max=32", null);
            var page = await response.JsonAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, page.ToString());
            var events = page.GetProperty("events").EnumerateArray().Select(e => CloudEvent.Parse(e.GetRawText())).ToList();
            _events.AddRange(events);
            if (events.Count == 0)
            {
                return _events;
            }
        }
    }

    private async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no {what} within {Patience.TotalSeconds} s: {host.ErrorLog()}");
            await Task.Delay(250);
        }
    }
}
