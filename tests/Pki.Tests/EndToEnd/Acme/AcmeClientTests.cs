using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// The real npm acme-client 5.4.0 (tests/acme-client, installed by local/test from its package-lock.json) against the
/// dev host over HTTPS, trusting only our root (NODE_EXTRA_CA_CERTS), with EAB and http-01 served by the script. It reads
/// renewalInfo, sees the window open at once after an admin's early renewal, orders with <c>replaces</c>, gets
/// alreadyReplaced on a second replacement, and sees a revoked certificate's window in the past. The certID the script
/// builds is checked against openssl's reading of the certificate.
/// </summary>
public sealed class AcmeClientTests(AcmeHostFixture host) : IClassFixture<AcmeHostFixture>
{
    private static readonly string ScriptDirectory = Path.Combine(RepoPaths.Root, "tests", "acme-client");

    [Fact]
    public async Task Acme_client_follows_renewal_information_through_early_renewal_replacement_and_revocation()
    {
        Assert.True(File.Exists(Path.Combine(ScriptDirectory, "node_modules", "acme-client", "package.json")),
            "acme-client is missing: local/test installs it (local/lib.sh pki_install_prerequisites runs npm ci in tests/acme-client).");
        using var ssl = new Openssl();
        var root = ssl.Write("root.pem", host.RootPem);
        var (kid, hmac) = await host.CreateEabAsync();

        var first = Node(ssl, root, kid, hmac, "obtain", "first.pem");
        var firstPem = Path.Combine(ssl.Directory, "first.pem");
        Assert.Equal(AcmeRenewalInfoTests.CertIdByOpenssl(firstPem), first.GetProperty("certId").GetString());
        var serial = ClientProcess.Serial(firstPem);
        var notBefore = Date(firstPem, "startdate");
        var notAfter = Date(firstPem, "enddate");

        // The default window: the last third of the lifetime, asked again after Retry-After.
        var info = Node(ssl, root, kid, hmac, "info", "first.pem");
        Assert.Equal(200, info.GetProperty("status").GetInt32());
        Assert.Equal("21600", info.GetProperty("retryAfter").GetString());
        var (start, end) = Window(info);
        Assert.Equal(notAfter - (notAfter - notBefore) / 3, start);
        Assert.True(start < end && end < notAfter, $"window {start:o}..{end:o}, notAfter {notAfter:o}");

        // An admin renews it early: the window opens when asked, and a second request keeps the first time.
        using var early = await host.Client.PostAsync($"/api/acme/certificates/{serial}/renew-early", null);
        var earlyBody = await early.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        var renewEarlyAt = earlyBody.GetProperty("renewEarlyAt").GetDateTimeOffset();
        Assert.True(renewEarlyAt > notBefore && renewEarlyAt < start, $"renewed early at {renewEarlyAt:o}");
        var (earlyStart, earlyEnd) = Window(Node(ssl, root, kid, hmac, "info", "first.pem"));
        Assert.Equal(renewEarlyAt, earlyStart);
        Assert.Equal(renewEarlyAt + TimeSpan.FromHours(1), earlyEnd);
        using (var again = await host.Client.PostAsync($"/api/acme/certificates/{serial}/renew-early", null))
        {
            Assert.Equal(renewEarlyAt, (await again.JsonAsync()).GetProperty("renewEarlyAt").GetDateTimeOffset());
        }

        using (var audit = await host.Client.GetAsync("/api/audit?limit=1000"))
        {
            var entries = (await audit.JsonAsync()).GetProperty("records").EnumerateArray()
                .Where(r => r.GetProperty("action").GetString() == "acme-renew-early" && r.TryGetProperty("serialNumber", out var s) && s.GetString() == serial)
                .Select(r => $"{r.GetProperty("outcome").GetString()} {r.GetProperty("actor").GetProperty("id").GetString()}")
                .ToArray();
            Assert.Equal(["succeeded test-admin"], entries);
        }

        // The replacement names its predecessor; a second one is alreadyReplaced.
        var second = Node(ssl, root, kid, hmac, "replace", "first.pem", "second.pem");
        var secondPem = Path.Combine(ssl.Directory, "second.pem");
        Openssl.AssertVerifies(root, secondPem, secondPem, "sslserver");
        var secondSerial = ClientProcess.Serial(secondPem);
        Assert.Equal(serial, (await ClientProcess.CertificateAsync(host, secondSerial)).GetProperty("predecessorSerialNumber").GetString());
        Assert.Equal(AcmeRenewalInfoTests.CertIdByOpenssl(secondPem), second.GetProperty("certId").GetString());
        var again2 = Node(ssl, root, kid, hmac, "replace-again", "first.pem");
        Assert.Equal(409, again2.GetProperty("status").GetInt32());
        Assert.Equal("urn:ietf:params:acme:error:alreadyReplaced", again2.GetProperty("type").GetString());

        // The successor's window is its own; once revoked (by the account key, through the client) it lies in the past.
        var (secondStart, _) = Window(Node(ssl, root, kid, hmac, "info", "second.pem"));
        Assert.True(secondStart > renewEarlyAt, $"successor's window starts {secondStart:o}");
        Node(ssl, root, kid, hmac, "revoke", "second.pem");
        var revoked = await ClientProcess.CertificateAsync(host, secondSerial);
        Assert.Equal("superseded", revoked.GetProperty("revocationReason").GetString());
        var revokedAt = revoked.GetProperty("revokedAt").GetDateTimeOffset();
        var (pastStart, pastEnd) = Window(Node(ssl, root, kid, hmac, "info", "second.pem"));
        Assert.True(pastStart < pastEnd && pastEnd <= revokedAt, $"window {pastStart:o}..{pastEnd:o} after the revocation at {revokedAt:o}");

        // A revoked certificate is not renewed early (its window is past already), and it changes nothing.
        await (await host.Client.PostAsync($"/api/acme/certificates/{secondSerial}/renew-early", null)).AssertProblemAsync(HttpStatusCode.Conflict, "certificate-revoked");
    }

    [Fact]
    public async Task Early_renewal_refuses_unknown_and_non_acme_certificates()
    {
        await (await host.Client.PostAsync("/api/acme/certificates/0badc0ffee/renew-early", null)).AssertProblemAsync(HttpStatusCode.NotFound, "unknown-certificate");
        await (await host.Client.PostAsync("/api/acme/certificates/not-hex/renew-early", null)).AssertProblemAsync(HttpStatusCode.BadRequest);

        // A certificate the API issued: the pipeline renews it, not an ACME client.
        var issued = await host.Client.IssueAsync(Convert.ToBase64String(Csrs.Ec("api-issued.internal", ["api-issued.internal"])));
        var serial = issued.GetProperty("serialNumber").GetString();
        await (await host.Client.PostAsync($"/api/acme/certificates/{serial}/renew-early", null)).AssertProblemAsync(HttpStatusCode.Conflict, "not-an-acme-certificate");
    }

    private JsonElement Node(Openssl ssl, string root, string kid, string hmac, params string[] args)
    {
        var psi = new ProcessStartInfo("node") { WorkingDirectory = ScriptDirectory };
        psi.ArgumentList.Add(Path.Combine(ScriptDirectory, "ari.js"));
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["NODE_EXTRA_CA_CERTS"] = root;
        psi.Environment["ACME_DIRECTORY"] = host.DirectoryUrl;
        psi.Environment["ACME_STATE"] = ssl.Directory;
        psi.Environment["ACME_NAME"] = "node.web.internal";
        psi.Environment["ACME_HTTP01_PORT"] = host.Http01Port.ToString(CultureInfo.InvariantCulture);
        psi.Environment["ACME_EAB_KID"] = kid;
        psi.Environment["ACME_EAB_HMAC"] = hmac;
        var stdout = ClientProcess.Run(psi, $"acme-client {string.Join(' ', args)}", host.ErrorLog);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private static (DateTimeOffset Start, DateTimeOffset End) Window(JsonElement info)
    {
        var window = info.GetProperty("suggestedWindow");
        return (window.GetProperty("start").GetDateTimeOffset(), window.GetProperty("end").GetDateTimeOffset());
    }


    private static DateTimeOffset Date(string pem, string which) =>
        DateTimeOffset.ParseExact(Openssl.Run("x509", "-in", pem, "-noout", "-" + which).EnsureSuccess().Stdout.Trim().Split('=', 2)[1], "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture, DateTimeStyles.AllowInnerWhite | DateTimeStyles.AssumeUniversal);

}
