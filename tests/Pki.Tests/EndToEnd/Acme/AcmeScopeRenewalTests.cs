using System.Globalization;
using System.Net;
using System.Text.Json;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// Early renewal of a team's or an issuing CA's ACME certificates: one request opens the RFC 9773 window of every
/// certificate issued before it (read back through renewalInfo), not of those issued after; refusals change nothing.
/// Its own host (tables and CAs of its own), since a CA-wide mark would move other tests' windows.
/// </summary>
public sealed class AcmeScopeRenewalTests(AcmeHostFixture host) : IClassFixture<AcmeHostFixture>, IDisposable
{
    private readonly HttpClient _https = host.AcmeClient();

    public void Dispose() => _https.Dispose();

    [Fact]
    public async Task A_team_or_ca_renewed_early_opens_the_window_of_its_earlier_certificates_only()
    {
        var (kid, hmac) = await host.CreateEabAsync();
        var client = await AcmeTestClient.Es256(_https, host.DirectoryUrl).LoadAsync();
        await client.RegisterAsync(kid, hmac);
        using var ssl = new Openssl();
        const string name = "renew.web.internal";
        var before = ssl.Write("before.pem", await client.ObtainAsync(name, host.Http01Port));
        var beforeObtained = DateTimeOffset.UtcNow;
        var normalStart = NormalStart(before);
        Assert.Equal(normalStart, (await WindowAsync(client, before)).Start);

        // Issue times are kept to the second and a mark within that second counts as after the issue: let it pass.
        await PastTheIssueSecondAsync(beforeObtained);
        var team = await PostAsync("/api/acme/teams/web/renew-early");
        Assert.Equal("team-web", team.GetProperty("scope").GetString());
        var teamAt = team.GetProperty("renewEarlyAt").GetDateTimeOffset();
        Assert.Equal((teamAt, teamAt + TimeSpan.FromHours(1)), await WindowAsync(client, before));

        // Issued after the team's mark: its own window.
        var after = ssl.Write("after.pem", await client.ObtainAsync(name, host.Http01Port));
        var afterObtained = DateTimeOffset.UtcNow;
        Assert.Equal(NormalStart(after), (await WindowAsync(client, after)).Start);

        // The issuing CA renewed early: now that one too, and the earlier one keeps its earlier (team's) start.
        await PastTheIssueSecondAsync(afterObtained);
        var ca = await PostAsync($"/api/acme/authorities/{host.IssuingId}/renew-early");
        var caAt = ca.GetProperty("renewEarlyAt").GetDateTimeOffset();
        Assert.True(caAt > teamAt);
        Assert.Equal((caAt, caAt + TimeSpan.FromHours(1)), await WindowAsync(client, after));
        Assert.Equal(teamAt, (await WindowAsync(client, before)).Start);

        await (await host.Client.PostAsync("/api/acme/authorities/no-such-ca/renew-early", null)).AssertProblemAsync(HttpStatusCode.NotFound, "unknown-ca");
        await (await host.Client.PostAsync("/api/acme/teams/a%20b/renew-early", null)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "invalid-team");
        using var audit = await host.Client.GetAsync("/api/audit?limit=1000");
        var entries = (await audit.JsonAsync()).GetProperty("records").EnumerateArray()
            .Where(r => r.GetProperty("action").GetString() == "acme-renew-early")
            .Select(r => $"{r.GetProperty("outcome").GetString()} {r.GetProperty("targetId").GetString()}")
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(new[] { "refused a b", "refused no-such-ca", $"succeeded ca-{host.IssuingId}", "succeeded team-web" }.Order(StringComparer.Ordinal), entries);
    }

    // The certificate was issued before its chain came back; a second after that has passed the second it was issued in.
    private static async Task PastTheIssueSecondAsync(DateTimeOffset obtained)
    {
        while (DateTimeOffset.UtcNow < obtained + TimeSpan.FromSeconds(1.1))
        {
            await Task.Delay(100);
        }
    }

    private async Task<JsonElement> PostAsync(string path)
    {
        using var response = await host.Client.PostAsync(path, null);
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private async Task<(DateTimeOffset Start, DateTimeOffset End)> WindowAsync(AcmeTestClient client, string pem)
    {
        using var info = await _https.GetAsync(client.Url("renewalInfo") + "/" + AcmeRenewalInfoTests.CertIdByOpenssl(pem));
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        var window = (await AcmeTestClient.JsonAsync(info))["suggestedWindow"]!;
        return (window["start"]!.GetValue<DateTimeOffset>(), window["end"]!.GetValue<DateTimeOffset>());
    }

    private static DateTimeOffset NormalStart(string pem)
    {
        var notBefore = Date(pem, "startdate");
        var notAfter = Date(pem, "enddate");
        return notAfter - (notAfter - notBefore) / 3;
    }

    private static DateTimeOffset Date(string pem, string which) =>
        DateTimeOffset.ParseExact(Openssl.Run("x509", "-in", pem, "-noout", "-" + which).EnsureSuccess().Stdout.Trim().Split('=', 2)[1], "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture, DateTimeStyles.AllowInnerWhite | DateTimeStyles.AssumeUniversal);
}
