using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// The approval flow over HTTP on the dev host (Azurite, SoftHSM2): a code-signing request waits, an approver other
/// than the requester approves or rejects it, it expires on the fake clock, and the certificate is judged by openssl.
/// </summary>
public sealed class ApprovalOverHttpTests(ApprovalHostFixture host) : IClassFixture<ApprovalHostFixture>
{
    [Fact]
    public async Task A_code_signing_request_is_issued_to_the_requesters_team_only_after_another_person_approves_it()
    {
        using var ssl = new Openssl();
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        using var web = TestCallers.WebRequester.Client(host.BaseAddress);
        using var approver = TestCallers.Approver.Client(host.BaseAddress);
        var certificatesBefore = await host.CountRowsAsync(TableNames.Certificates);

        using var submitted = await payments.RequestAsync(ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=Payments Release Signing", null), "code-signing", "release@payments.internal");
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var pending = await submitted.JsonAsync();
        var id = pending.GetProperty("requestId").GetString()!;
        Assert.Equal("/api/requests/" + id, submitted.Headers.Location?.OriginalString);
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal("payments", pending.GetProperty("team").GetString());
        Assert.Equal("payments-bot", pending.GetProperty("requestedBy").GetString());
        Assert.Equal("Payments Release Signing", pending.GetProperty("commonName").GetString());
        Assert.Equal(pending.GetProperty("createdAt").GetDateTimeOffset().AddHours(ApprovalHostFixture.PendingHours), pending.GetProperty("expiresAt").GetDateTimeOffset());

        // Nothing is signed while the request waits.
        Assert.Equal(certificatesBefore, await host.CountRowsAsync(TableNames.Certificates));
        Assert.Equal(0, await host.CertificatesOfRequestAsync(id));

        // The requester and approvers see it; another team does not learn it exists.
        Assert.Equal("pending", (await (await payments.GetAsync("/api/requests/" + id)).JsonAsync()).GetProperty("status").GetString());
        Assert.Contains(id, await PendingIdsAsync(approver));
        Assert.Contains(id, await PendingIdsAsync(payments));
        Assert.DoesNotContain(id, await PendingIdsAsync(web));
        await (await web.GetAsync("/api/requests/" + id)).AssertProblemAsync(HttpStatusCode.NotFound, "unknown-request");
        await (await web.PostAsync($"/api/requests/{id}/approve", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-permission");

        // A requester holds no approval permission at all, its own request included.
        await (await payments.PostAsync($"/api/requests/{id}/approve", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-permission");
        Assert.Equal(0, await host.CertificatesOfRequestAsync(id));

        using var approved = await approver.PostAsync($"/api/requests/{id}/approve", null);
        var certificate = await approved.JsonAsync();
        Assert.True(approved.StatusCode == HttpStatusCode.Created, certificate.ToString() + host.ErrorLog());
        var serial = certificate.GetProperty("serialNumber").GetString()!;
        Assert.Equal("/api/certificates/" + serial, approved.Headers.Location?.OriginalString);
        Assert.Equal("payments", certificate.GetProperty("team").GetString());
        Assert.Equal("release@payments.internal", certificate.GetProperty("owner").GetString());
        Assert.Equal("code-signing", certificate.GetProperty("profile").GetString());
        Assert.Equal(1, await host.CertificatesOfRequestAsync(id));

        var request = await (await payments.GetAsync("/api/requests/" + id)).JsonAsync();
        Assert.Equal("issued", request.GetProperty("status").GetString());
        Assert.Equal(serial, request.GetProperty("serialNumber").GetString());
        Assert.Equal("alice-approver", request.GetProperty("decidedBy").GetString());
        Assert.DoesNotContain(id, await PendingIdsAsync(approver));

        // The certificate is the requester team's: its requester reads it as any of its certificates.
        using (var read = await payments.GetAsync("/api/certificates/" + serial))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        // Approving again answers the same certificate, never a second one.
        using (var again = await approver.PostAsync($"/api/requests/{id}/approve", null))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal(serial, (await again.JsonAsync()).GetProperty("serialNumber").GetString());
        }

        Assert.Equal(1, await host.CertificatesOfRequestAsync(id));
        await AssertCodeSigningCertificateAsync(ssl, certificate);

        // The trail names who asked and who approved, once each, replay or not; the issuance acts for the requester.
        using var audit = await host.Client.GetAsync("/api/audit?limit=1000");
        var decisions = (await audit.JsonAsync()).GetProperty("records").EnumerateArray()
            .Where(r => r.TryGetProperty("requestId", out var r2) && r2.GetString() == id)
            .Select(r => $"{r.GetProperty("action").GetString()} {r.GetProperty("actor").GetProperty("id").GetString()}")
            .ToArray();
        Assert.Equal(["request payments-bot", "approve alice-approver", "issue payments-bot"], decisions);
    }

    [Fact]
    public async Task Nobody_decides_their_own_request_not_even_an_admin()
    {
        using var ssl = new Openssl();
        var id = await SubmitAsync(host.Client, ssl, "Platform Signing");

        await (await host.Client.PostAsync($"/api/requests/{id}/approve", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "self-approval");
        await (await host.Client.PostAsync($"/api/requests/{id}/reject", Json("""{"reason":"never mind"}"""))).AssertProblemAsync(HttpStatusCode.Forbidden, "self-approval");
        Assert.Equal(0, await host.CertificatesOfRequestAsync(id));
        Assert.Equal("pending", (await (await host.Client.GetAsync("/api/requests/" + id)).JsonAsync()).GetProperty("status").GetString());

        // Both attempts are in the trail, refused, as the requester's.
        using (var audit = await host.Client.GetAsync("/api/audit?limit=1000"))
        {
            var refusals = (await audit.JsonAsync()).GetProperty("records").EnumerateArray()
                .Where(r => r.TryGetProperty("requestId", out var r2) && r2.GetString() == id && r.GetProperty("outcome").GetString() == "refused")
                .Select(r => $"{r.GetProperty("action").GetString()} {r.GetProperty("problemType").GetString()} {r.GetProperty("actor").GetProperty("id").GetString()}")
                .ToArray();
            Assert.Equal(["approve self-approval test-admin", "reject self-approval test-admin"], refusals);
        }

        // Another person with the role may.
        using var approver = TestCallers.Approver.Client(host.BaseAddress);
        using var approved = await approver.PostAsync($"/api/requests/{id}/approve", null);
        Assert.Equal(HttpStatusCode.Created, approved.StatusCode);
        Assert.Equal("platform", (await approved.JsonAsync()).GetProperty("team").GetString());
    }

    [Fact]
    public async Task A_rejected_request_carries_its_reason_and_can_no_longer_be_approved()
    {
        using var ssl = new Openssl();
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        using var approver = TestCallers.Approver.Client(host.BaseAddress);
        var id = await SubmitAsync(payments, ssl, "Payments Nightly");

        await (await approver.PostAsync($"/api/requests/{id}/reject", Json("{}"))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "invalid-reason");
        await (await approver.PostAsync($"/api/requests/{id}/reject", Json(new JsonObject { ["reason"] = new string('x', 1001) }.ToJsonString()))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "invalid-reason");

        using var rejected = await approver.PostAsync($"/api/requests/{id}/reject", Json("""{"reason":"Nightly builds sign with the team key, not a new one."}"""));
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var view = await rejected.JsonAsync();
        Assert.Equal("rejected", view.GetProperty("status").GetString());
        Assert.Equal("Nightly builds sign with the team key, not a new one.", view.GetProperty("reason").GetString());
        Assert.Equal("alice-approver", view.GetProperty("decidedBy").GetString());

        var problem = await (await host.Client.PostAsync($"/api/requests/{id}/approve", null)).AssertProblemAsync(HttpStatusCode.Conflict, "request-rejected");
        Assert.Contains("team key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await approver.PostAsync($"/api/requests/{id}/reject", Json("""{"reason":"again"}"""))).AssertProblemAsync(HttpStatusCode.Conflict, "request-rejected");
        Assert.Equal(0, await host.CertificatesOfRequestAsync(id));
        Assert.Equal("rejected", (await (await payments.GetAsync("/api/requests/" + id)).JsonAsync()).GetProperty("status").GetString());
        Assert.DoesNotContain(id, await PendingIdsAsync(approver));
    }

    [Fact]
    public async Task A_request_nobody_decided_within_the_pending_hours_expires_and_cannot_be_approved()
    {
        using var ssl = new Openssl();
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        using var approver = TestCallers.Approver.Client(host.BaseAddress);
        var id = await SubmitAsync(payments, ssl, "Payments Hotfix");

        host.Time.Advance(TimeSpan.FromHours(ApprovalHostFixture.PendingHours) - TimeSpan.FromMinutes(1));
        Assert.Equal("pending", (await (await payments.GetAsync("/api/requests/" + id)).JsonAsync()).GetProperty("status").GetString());
        Assert.Contains(id, await PendingIdsAsync(approver));

        host.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.DoesNotContain(id, await PendingIdsAsync(approver));
        var expired = await (await payments.GetAsync("/api/requests/" + id)).JsonAsync();
        Assert.Equal("expired", expired.GetProperty("status").GetString());
        await (await approver.PostAsync($"/api/requests/{id}/approve", null)).AssertProblemAsync(HttpStatusCode.Conflict, "request-expired");
        await (await approver.PostAsync($"/api/requests/{id}/reject", Json("""{"reason":"too late"}"""))).AssertProblemAsync(HttpStatusCode.Conflict, "request-expired");
        Assert.Equal(0, await host.CertificatesOfRequestAsync(id));
    }

    [Fact]
    public async Task Approvers_approving_at_once_issue_exactly_one_certificate()
    {
        using var ssl = new Openssl();
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        var id = await SubmitAsync(payments, ssl, "Payments Race");
        using var approver1 = TestCallers.Approver.Client(host.BaseAddress);
        using var approver2 = TestCallers.Approver.Client(host.BaseAddress);
        using var admin1 = TestCallers.Admin.Client(host.BaseAddress);
        using var admin2 = TestCallers.Admin.Client(host.BaseAddress);

        using var start = new ManualResetEventSlim();
        var approvals = new[] { approver1, approver2, admin1, admin2 }.Select(c => Task.Run(async () =>
        {
            start.Wait();
            using var response = await c.PostAsync($"/api/requests/{id}/approve", null);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(approvals);

        Assert.Equal(1, await host.CertificatesOfRequestAsync(id));
        Assert.Single(results, r => r.StatusCode == HttpStatusCode.Created);
        var serial = JsonDocument.Parse(results.Single(r => r.StatusCode == HttpStatusCode.Created).Body).RootElement.GetProperty("serialNumber").GetString();
        foreach (var (status, body) in results.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            // The others either found it issued (the same certificate) or still issuing.
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{(int)status}: {body}");
            if (status == HttpStatusCode.OK)
            {
                Assert.Equal(serial, JsonDocument.Parse(body).RootElement.GetProperty("serialNumber").GetString());
            }
            else
            {
                Assert.Contains("request-in-progress", body, StringComparison.Ordinal);
            }
        }

        var request = await (await payments.GetAsync("/api/requests/" + id)).JsonAsync();
        Assert.Equal("issued", request.GetProperty("status").GetString());
        Assert.Equal(serial, request.GetProperty("serialNumber").GetString());
    }

    [Fact]
    public async Task A_request_policy_refuses_at_submission_stores_nothing()
    {
        using var ssl = new Openssl();
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        var key = ssl.NewKey("k", "ec:P-256");
        var before = (await host.CountRowsAsync(TableNames.Approvals), await host.CountStateAsync());

        await (await payments.RequestAsync(ssl.NewCsr(key, "/CN=Signer", "DNS:build.payments.internal"), "code-signing")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "san-not-allowed");
        await (await payments.RequestAsync(ssl.NewCsr(key, "/CN=Signer", null), "code-signing", owner: null)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "missing-owner");
        await (await payments.RequestAsync(ssl.NewCsr(ssl.NewKey("weak", "rsa:1024"), "/CN=Signer", null), "code-signing")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        // A profile configured to require approval keeps the team's name grants: a name outside them is refused, not held.
        await (await payments.RequestAsync(ssl.NewCsr(key, "/CN=shop.web.internal", "DNS:shop.web.internal"), "tls-client")).AssertProblemAsync(HttpStatusCode.Forbidden, "name-not-granted");

        Assert.Equal(before, (await host.CountRowsAsync(TableNames.Approvals), await host.CountStateAsync()));
    }

    [Fact]
    public async Task Policy_runs_again_at_approval_as_the_requester_and_a_refusal_then_leaves_the_request_pending()
    {
        using var ssl = new Openssl();
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        using var approver = TestCallers.Approver.Client(host.BaseAddress);
        var id = await SubmitAsync(payments, ssl, "Payments " + ApprovalHostFixture.FreezeRule.Marker);
        Assert.Equal("payments-bot", host.Freeze.LastCaller);

        host.Freeze.On = true;
        try
        {
            var problem = await (await approver.PostAsync($"/api/requests/{id}/approve", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "signing-frozen");
            Assert.Contains("stays pending", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            host.Freeze.On = false;
        }

        // It ran as the requester, not as the approver, so an approver's rights never widen what the requester obtains.
        Assert.Equal("payments-bot", host.Freeze.LastCaller);
        Assert.Equal(0, await host.CertificatesOfRequestAsync(id));
        Assert.Equal("pending", (await (await payments.GetAsync("/api/requests/" + id)).JsonAsync()).GetProperty("status").GetString());
        Assert.Contains(id, await PendingIdsAsync(approver));

        using var approved = await approver.PostAsync($"/api/requests/{id}/approve", null);
        Assert.Equal(HttpStatusCode.Created, approved.StatusCode);
        Assert.Equal(1, await host.CertificatesOfRequestAsync(id));
    }

    [Fact]
    public async Task A_profile_configured_to_require_approval_holds_tls_client_requests_too_and_issues_them_with_their_usage()
    {
        using var ssl = new Openssl();
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        using var approver = TestCallers.Approver.Client(host.BaseAddress);
        using var submitted = await payments.RequestAsync(ssl.NewCsr(ssl.NewKey("k", "rsa:2048"), "/CN=batch.payments.internal", "DNS:batch.payments.internal"), "tls-client");
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.JsonAsync()).GetProperty("requestId").GetString()!;
        Assert.Equal(["batch.payments.internal"], (await (await payments.GetAsync("/api/requests/" + id)).JsonAsync()).GetProperty("names").EnumerateArray().Select(n => n.GetString()));

        using var approved = await approver.PostAsync($"/api/requests/{id}/approve", null);
        Assert.Equal(HttpStatusCode.Created, approved.StatusCode);
        var leaf = ssl.Write("leaf.pem", (await approved.JsonAsync()).GetProperty("certificatePem").GetString()!);
        var text = Openssl.Run("x509", "-in", leaf, "-noout", "-text").EnsureSuccess().Stdout;
        Assert.Contains("TLS Web Client Authentication", text, StringComparison.Ordinal);

        // tls-server is not configured to require approval: issued at once.
        using var immediate = await payments.RequestAsync(ssl.NewCsr(ssl.NewKey("k2", "ec:P-256"), "/CN=api.payments.internal", "DNS:api.payments.internal"));
        Assert.Equal(HttpStatusCode.Created, immediate.StatusCode);
    }

    [Fact]
    public async Task A_repeated_submission_with_the_same_idempotency_key_returns_the_request_first_stored()
    {
        using var ssl = new Openssl();
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        var csr = ssl.NewCsr(ssl.NewKey("k", "ec:P-384"), "/CN=Payments Idempotent", null);
        var key = Guid.NewGuid().ToString();

        using var first = await payments.RequestAsync(csr, "code-signing", idempotencyKey: key);
        using var second = await payments.RequestAsync(csr, "code-signing", idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        var id = (await first.JsonAsync()).GetProperty("requestId").GetString();
        Assert.Equal(id, (await second.JsonAsync()).GetProperty("requestId").GetString());

        var rows = await host.CountRowsAsync(TableNames.Approvals);
        await (await payments.RequestAsync(csr, "code-signing", owner: "someone-else@payments.internal", idempotencyKey: key)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.Equal(rows, await host.CountRowsAsync(TableNames.Approvals));
    }

    [Fact]
    public async Task The_pending_listing_pages_and_a_requester_lists_only_its_own_team()
    {
        using var ssl = new Openssl();
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        using var web = TestCallers.WebRequester.Client(host.BaseAddress);
        using var approver = TestCallers.Approver.Client(host.BaseAddress);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await SubmitAsync(payments, ssl, "Payments Page " + i));
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var url = "/api/requests?status=pending&team=payments&pageSize=1" + (token is null ? string.Empty : "&continuationToken=" + Uri.EscapeDataString(token));
            var page = await (await approver.GetAsync(url)).JsonAsync();
            var items = page.GetProperty("items").EnumerateArray().ToArray();
            Assert.True(items.Length <= 1);
            Assert.All(items, i => Assert.Equal("payments", i.GetProperty("team").GetString()));
            seen.AddRange(items.Select(i => i.GetProperty("requestId").GetString()!));
            token = page.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
            Assert.True(++pages < 500, "the listing must end");
        }
        while (token is not null);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Superset(ids.ToHashSet(), seen.ToHashSet());

        await (await web.GetAsync("/api/requests?team=payments")).AssertProblemAsync(HttpStatusCode.Forbidden, "not-your-team");
        await (await approver.GetAsync("/api/requests?status=issued")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-filter");
        await (await approver.GetAsync("/api/requests?continuationToken=bm9wZQ")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-continuation-token");
        await (await approver.GetAsync("/api/requests?pageSize=0")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-page-size");
        await (await approver.GetAsync("/api/requests/not-an-id")).AssertProblemAsync(HttpStatusCode.NotFound, "unknown-request");
    }

    private async Task AssertCodeSigningCertificateAsync(Openssl ssl, JsonElement certificate)
    {
        var leaf = ssl.Write("leaf.pem", certificate.GetProperty("certificatePem").GetString()!);
        var chain = ssl.Write("chain.pem", certificate.GetProperty("chainPem").GetString()!);
        var root = ssl.Write("root.pem", await host.Client.GetStringAsync($"/api/ca/{host.RootId}/certificate"));

        var text = Openssl.Run("x509", "-in", leaf, "-noout", "-text").EnsureSuccess().Stdout;
        Assert.Contains("X509v3 Extended Key Usage: \n                Code Signing\n", text.Replace("\r", string.Empty), StringComparison.Ordinal);
        Assert.Contains("X509v3 Key Usage: critical\n                Digital Signature\n", text.Replace("\r", string.Empty), StringComparison.Ordinal);
        Assert.Contains("Subject: CN = Payments Release Signing", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Subject Alternative Name", text, StringComparison.Ordinal);

        // Judged at the host's (fake) time; openssl 3.0 knows no code-signing purpose, but a TLS purpose must fail.
        var at = host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var verify = Openssl.Run("verify", "-x509_strict", "-attime", at, "-CAfile", root, "-untrusted", chain, leaf);
        Assert.True(verify.ExitCode == 0, verify.Stderr + verify.Stdout);
        Assert.NotEqual(0, Openssl.Run("verify", "-x509_strict", "-attime", at, "-purpose", "sslserver", "-CAfile", root, "-untrusted", chain, leaf).ExitCode);
    }

    private static async Task<string> SubmitAsync(HttpClient client, Openssl ssl, string signer)
    {
        using var response = await client.RequestAsync(ssl.NewCsr(ssl.NewKey(Guid.NewGuid().ToString("N"), "ec:P-256"), "/CN=" + signer, null), "code-signing");
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body.ToString());
        return body.GetProperty("requestId").GetString()!;
    }

    private static async Task<HashSet<string>> PendingIdsAsync(HttpClient client)
    {
        var ids = new HashSet<string>();
        string? token = null;
        do
        {
            using var response = await client.GetAsync("/api/requests?status=pending&pageSize=200" + (token is null ? string.Empty : "&continuationToken=" + Uri.EscapeDataString(token)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.JsonAsync();
            ids.UnionWith(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("requestId").GetString()!));
            token = page.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        return ids;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
