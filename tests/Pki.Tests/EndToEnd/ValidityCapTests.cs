using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>Issue 16 item 8: a validityDays above the profile's maximum is capped, and the answer says so.</summary>
public sealed class ValidityCapTests(DevHostFixture host) : IClassFixture<DevHostFixture>, IDisposable
{
    private readonly Openssl _ssl = new();

    public void Dispose() => _ssl.Dispose();

    [Fact]
    public async Task A_lifetime_above_the_maximum_is_capped_and_the_response_says_so_on_replay_too()
    {
        var key = _ssl.NewKey("k", "ec:P-256");
        var csr = _ssl.NewCsr(key, "/CN=capped.internal", "DNS:capped.internal");

        using var capped = await host.Client.RequestAsync(csr, validityDays: 90, idempotencyKey: "capped-1");
        var body = await capped.JsonAsync();
        Assert.Equal(HttpStatusCode.Created, capped.StatusCode);
        var warning = Assert.Single(body.GetProperty("warnings").EnumerateArray());
        Assert.Equal("validity-capped", warning.GetProperty("code").GetString());
        Assert.Contains("validityDays 90 is above profile 'tls-server''s maximum of 47 days", warning.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // openssl reads the lifetime the warning names.
        var pem = _ssl.Write("capped.pem", body.GetProperty("certificatePem").GetString()!);
        var dates = Openssl.Run("x509", "-in", pem, "-noout", "-startdate", "-enddate").EnsureSuccess().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => DateTimeOffset.ParseExact(l.Split('=')[1].Replace("  ", " ", StringComparison.Ordinal), "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)).ToArray();
        Assert.Equal(TimeSpan.FromDays(47), dates[1] - dates[0]);

        using var replay = await host.Client.RequestAsync(csr, validityDays: 90, idempotencyKey: "capped-1");
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal("validity-capped", (await replay.JsonAsync()).GetProperty("warnings")[0].GetProperty("code").GetString());

        using var within = await host.Client.RequestAsync(csr, validityDays: 30);
        Assert.Equal(HttpStatusCode.Created, within.StatusCode);
        Assert.False((await within.JsonAsync()).TryGetProperty("warnings", out _));
    }

    [Fact]
    public async Task A_request_held_for_approval_says_its_lifetime_will_be_capped()
    {
        var key = _ssl.NewKey("sign.key", "ec:P-256");
        using var held = await host.Client.PostAsJsonAsync("/api/certificates", new
        {
            csr = _ssl.NewCsr(key, "/CN=Release Signing", null), profile = "code-signing", owner = "release@corp.internal", validityDays = 500,
        });
        var body = await held.JsonAsync();
        Assert.True(held.StatusCode == HttpStatusCode.Accepted, body.ToString());
        var warning = Assert.Single(body.GetProperty("warnings").EnumerateArray());
        Assert.Equal("validity-capped", warning.GetProperty("code").GetString());
        Assert.Contains("maximum of 365 days", warning.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
