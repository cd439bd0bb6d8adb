using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Audit;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// ACME Renewal Information (RFC 9773) over HTTPS: the directory names renewalInfo, a certificate's window is the last
/// third of its lifetime, an order replaces it once (a second replacement is alreadyReplaced), the successor is linked to
/// its predecessor as the pipeline's renewals are, and a revoked certificate's window lies in the past. The certID is
/// built from what openssl reads out of the certificate, not by our code.
/// </summary>
public sealed class AcmeRenewalInfoTests(AcmeHostFixture host) : IClassFixture<AcmeHostFixture>, IDisposable
{
    private readonly HttpClient _https = host.AcmeClient();

    public void Dispose() => _https.Dispose();

    [Fact]
    public async Task Renewal_window_replacement_once_and_a_revoked_certificates_window_in_the_past()
    {
        var (kid, hmac) = await host.CreateEabAsync();
        var client = await AcmeTestClient.Es256(_https, host.DirectoryUrl).LoadAsync();
        await client.RegisterAsync(kid, hmac);
        const string name = "renew.web.internal";
        var chain = await client.ObtainAsync(name, host.Http01Port);

        using var ssl = new Openssl();
        var leaf = ssl.Write("leaf.pem", chain);
        var certId = CertIdByOpenssl(leaf);
        var serial = Openssl.Run("x509", "-in", leaf, "-noout", "-serial").EnsureSuccess().Stdout.Trim()["serial=".Length..].ToLowerInvariant();
        var notBefore = DateTimeOffset.ParseExact(Openssl.Run("x509", "-in", leaf, "-noout", "-startdate").EnsureSuccess().Stdout.Trim()["notBefore=".Length..], "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture, DateTimeStyles.AllowInnerWhite | DateTimeStyles.AssumeUniversal);
        var notAfter = DateTimeOffset.ParseExact(Openssl.Run("x509", "-in", leaf, "-noout", "-enddate").EnsureSuccess().Stdout.Trim()["notAfter=".Length..], "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture, DateTimeStyles.AllowInnerWhite | DateTimeStyles.AssumeUniversal);

        var renewalInfo = client.Url("renewalInfo");
        using (var info = await _https.GetAsync(renewalInfo + "/" + certId))
        {
            Assert.Equal(HttpStatusCode.OK, info.StatusCode);
            Assert.Equal(TimeSpan.FromHours(6), info.Headers.RetryAfter?.Delta);
            var window = (await AcmeTestClient.JsonAsync(info))["suggestedWindow"]!;
            var start = window["start"]!.GetValue<DateTimeOffset>();
            var end = window["end"]!.GetValue<DateTimeOffset>();
            Assert.Equal(notAfter - (notAfter - notBefore) / 3, start);
            Assert.True(start < end && end < notAfter, $"window {start:o}..{end:o}, notAfter {notAfter:o}");
        }

        using (var unknown = await _https.GetAsync(renewalInfo + "/" + certId.Split('.')[0] + ".AQID"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        // Replaced once: the successor names its predecessor as a pipeline renewal does.
        var successor = ssl.Write("successor.pem", await client.ObtainAsync(name, host.Http01Port, replaces: certId));
        var successorSerial = Openssl.Run("x509", "-in", successor, "-noout", "-serial").EnsureSuccess().Stdout.Trim()["serial=".Length..].ToLowerInvariant();
        var successorView = JsonDocument.Parse(await host.Client.GetStringAsync($"/api/certificates/{successorSerial}")).RootElement;
        Assert.Equal(serial, successorView.GetProperty("predecessorSerialNumber").GetString());
        var predecessorView = JsonDocument.Parse(await host.Client.GetStringAsync($"/api/certificates/{serial}")).RootElement;
        Assert.Equal(successorSerial, predecessorView.GetProperty("successorSerialNumber").GetString());

        using (var again = await client.PostAsync(client.Url("newOrder"), new JsonObject
        {
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "dns", ["value"] = name }),
            ["replaces"] = certId,
        }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("urn:ietf:params:acme:error:alreadyReplaced", (await AcmeTestClient.JsonAsync(again))["type"]!.GetValue<string>());
        }

        // Revoked: the window moves into the past, so a client renews at once.
        using (var revoke = await client.PostAsync(client.Url("revokeCert"), new JsonObject
        {
            ["certificate"] = AcmeTestClient.B64(Convert.FromBase64String(string.Concat(chain.Split("-----END CERTIFICATE-----")[0].Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))))),
            ["reason"] = 4,
        }))
        {
            Assert.True(revoke.StatusCode == HttpStatusCode.OK, await revoke.Content.ReadAsStringAsync());
        }

        using var moved = await _https.GetAsync(renewalInfo + "/" + certId);
        var pastEnd = (await AcmeTestClient.JsonAsync(moved))["suggestedWindow"]!["end"]!.GetValue<DateTimeOffset>();
        var revokedAt = JsonDocument.Parse(await host.Client.GetStringAsync($"/api/certificates/{serial}")).RootElement.GetProperty("revokedAt").GetDateTimeOffset();
        Assert.True(pastEnd <= revokedAt, $"window end {pastEnd:o} after the revocation at {revokedAt:o}");
    }

    [Fact]
    public async Task The_services_renew_early_route_opens_an_acme_certificates_window_queues_nothing_and_refuses_it_once_replaced()
    {
        var (kid, hmac) = await host.CreateEabAsync();
        var client = await AcmeTestClient.Es256(_https, host.DirectoryUrl).LoadAsync();
        await client.RegisterAsync(kid, hmac);
        const string name = "renew.web.internal"; // a name validation reaches on 127.0.0.1 (AcmeHostFixture.LoopbackNames)
        using var ssl = new Openssl();
        var leaf = ssl.Write("early.pem", await client.ObtainAsync(name, host.Http01Port));
        var certId = CertIdByOpenssl(leaf);
        var serial = Openssl.Run("x509", "-in", leaf, "-noout", "-serial").EnsureSuccess().Stdout.Trim()["serial=".Length..].ToLowerInvariant(); // as the service writes it: whole bytes, lower case

        // The dashboard's route for every certificate: an ACME one is renewed by its client, so its window opens (as the ACME route does).
        using (var press = await host.Client.PostAsync($"/api/certificates/{serial}/renew-early", null))
        {
            var body = await press.JsonAsync();
            Assert.True(press.StatusCode == HttpStatusCode.Accepted, body.ToString());
            Assert.Equal("acme-window", body.GetProperty("action").GetString());
            using var info = await _https.GetAsync(client.Url("renewalInfo") + "/" + certId);
            var window = (await AcmeTestClient.JsonAsync(info))["suggestedWindow"]!;
            Assert.Equal(window["start"]!.GetValue<DateTimeOffset>(), body.GetProperty("windowStart").GetDateTimeOffset());
            Assert.Equal(window["end"]!.GetValue<DateTimeOffset>(), body.GetProperty("windowEnd").GetDateTimeOffset());
            Assert.Equal(body.GetProperty("requestedAt").GetDateTimeOffset(), window["start"]!.GetValue<DateTimeOffset>());
        }

        // ACME's own audit record, and none of the queueing kind: the renewer was not asked to issue a successor its client would never install.
        var actions = (await host.App.Services.GetRequiredService<IAuditStore>().ReadAllAsync().ToListAsync())
            .Where(r => r.SerialNumber == serial)
            .Select(r => $"{r.Action} {r.Outcome}")
            .ToArray();
        Assert.Contains("acme-renew-early succeeded", actions);
        Assert.DoesNotContain(actions, a => a.StartsWith(AuditActions.RenewEarly + " ", StringComparison.Ordinal));

        // Once its client replaced it, there is nothing left to renew.
        var successor = ssl.Write("early-successor.pem", await client.ObtainAsync(name, host.Http01Port, replaces: certId));
        Openssl.AssertVerifies(ssl.Write("root.pem", host.RootPem), successor, successor, "sslserver");
        await (await host.Client.PostAsync($"/api/certificates/{serial}/renew-early", null)).AssertProblemAsync(HttpStatusCode.Conflict, "certificate-already-renewed");
    }

    /// <summary>RFC 9773 §4.1 from openssl's reading: the AKI keyIdentifier and the serial's DER content octets, base64url.</summary>
    internal static string CertIdByOpenssl(string leaf)
    {
        var aki = Openssl.Run("x509", "-in", leaf, "-noout", "-ext", "authorityKeyIdentifier").EnsureSuccess().Stdout
            .Split('\n').Select(l => l.Trim()).First(l => l.Length > 0 && !l.StartsWith("X509v3", StringComparison.Ordinal));
        var keyId = Convert.FromHexString(aki.Replace("keyid:", string.Empty, StringComparison.Ordinal).Replace(":", string.Empty, StringComparison.Ordinal));
        var serialHex = Openssl.Run("x509", "-in", leaf, "-noout", "-serial").EnsureSuccess().Stdout.Trim()["serial=".Length..];
        var serial = Convert.FromHexString(serialHex.Length % 2 == 1 ? "0" + serialHex : serialHex);
        if ((serial[0] & 0x80) != 0)
        {
            serial = [0, .. serial];
        }

        return AcmeTestClient.B64(keyId) + "." + AcmeTestClient.B64(serial);
    }
}
