using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Authority;
using Pki.Core.Revocation;
using Pki.Functions;
using Pki.Tests.Infrastructure;
using Pki.Tests.Unit.Revocation;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Revocation through the HTTP API, judged by openssl ocsp, openssl crl and openssl verify -crl_check, on a host that
/// counts its signatures and whose clock moves only when a test moves it.
/// </summary>
public sealed partial class RevocationOverHttpTests(CountingHostFixture host) : IClassFixture<CountingHostFixture>, IDisposable
{
    /// <summary>Once this has passed since the CA's CRLs were last published, a revocation publishes its own at once.</summary>
    private static readonly TimeSpan CrlInterval = TimeSpan.FromSeconds(new RevocationOptions().CrlRevocationIntervalSeconds);

    private static readonly int DefaultShards = new RevocationOptions().CrlShards;

    private readonly Openssl _ssl = new();

    public void Dispose() => _ssl.Dispose();

    [Fact]
    public async Task Openssl_ocsp_reports_good_then_revoked_with_the_reason()
    {
        var (serial, leaf) = await IssueAsync("ocsp.internal");
        var (root, issuing) = await ChainAsync();

        foreach (var nonce in new[] { "-nonce", "-no_nonce" })
        {
            var good = OcspQuery(root, issuing, leaf, nonce);
            Assert.Contains("Response verify OK", good.Stderr + good.Stdout);
            Assert.Contains(leaf + ": good", good.Stdout);
        }

        using var revoke = await RevokeAsync(serial, "keyCompromise");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var body = await revoke.JsonAsync();
        Assert.Equal("revoked", body.GetProperty("status").GetString());
        Assert.Equal("keyCompromise", body.GetProperty("reason").GetString());
        Assert.False(body.GetProperty("alreadyRevoked").GetBoolean());
        var revokedAt = body.GetProperty("revokedAt").GetDateTimeOffset();

        foreach (var nonce in new[] { "-nonce", "-no_nonce" })
        {
            var revoked = OcspQuery(root, issuing, leaf, nonce);
            Assert.Contains("Response verify OK", revoked.Stderr + revoked.Stdout);
            Assert.Contains(leaf + ": revoked", revoked.Stdout);
            Assert.Contains("Reason: keyCompromise", revoked.Stdout);
            Assert.Contains("Revocation Time: " + revokedAt.UtcDateTime.ToString("MMM d HH:mm:ss yyyy", System.Globalization.CultureInfo.InvariantCulture), CollapseSpaces(revoked.Stdout));
        }

        // Repeating changes nothing and says so.
        using var again = await RevokeAsync(serial, "superseded");
        var repeat = await again.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(repeat.GetProperty("alreadyRevoked").GetBoolean());
        Assert.Equal("keyCompromise", repeat.GetProperty("reason").GetString());
        Assert.Equal(revokedAt, repeat.GetProperty("revokedAt").GetDateTimeOffset());

        var view = await (await host.Client.GetAsync($"/api/certificates/{serial}")).JsonAsync();
        Assert.Equal("revoked", view.GetProperty("status").GetString());
        Assert.Equal("keyCompromise", view.GetProperty("revocationReason").GetString());
        Assert.Equal(revokedAt, view.GetProperty("revokedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Shard_full_and_delta_crls_verify_and_openssl_verify_refuses_the_revoked_certificate()
    {
        var (serial, leaf) = await IssueAsync("crl.internal");
        var (_, other) = await IssueAsync("other.internal");
        var (root, issuing) = await ChainAsync();
        var shardUrl = CrlDistributionPoint(leaf);
        Assert.Matches(@"/crl/\d+$", shardUrl.ToString());

        var fullBefore = await FetchCrlAsync($"/api/ca/{host.IssuingId}/crl", "full-before.pem");
        var shardBefore = await FetchCrlAsync(shardUrl.PathAndQuery, "shard-before.pem");
        AssertVerifyOk(root, issuing, leaf, "-crl_check", "-CRLfile", shardBefore);

        host.Time.Advance(CrlInterval);
        using (var revoke = await RevokeAsync(serial, "cessationOfOperation"))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        // The shard named in the certificate was republished with the revocation.
        var shard = await FetchCrlAsync(shardUrl.PathAndQuery, "shard.pem");
        Assert.Contains("Cessation Of Operation", Openssl.Run("crl", "-in", shard, "-noout", "-text").EnsureSuccess().Stdout);
        AssertVerifyRevoked(root, issuing, leaf, "-crl_check", "-CRLfile", shard);
        AssertVerifyOk(root, issuing, other, "-crl_check", "-CRLfile", await FetchCrlAsync(CrlDistributionPoint(other).PathAndQuery, "other-shard.pem"));

        // The old complete CRL alone still passes the certificate; with the new delta it is refused.
        AssertVerifyOk(root, issuing, leaf, "-crl_check", "-CRLfile", fullBefore);
        var delta = await FetchCrlAsync($"/api/ca/{host.IssuingId}/crl/delta", "delta.pem");
        Assert.Matches(@"Delta CRL Indicator: critical\s+\d+", Openssl.Run("crl", "-in", delta, "-noout", "-text").Stdout);
        AssertVerifyRevoked(root, issuing, leaf, "-crl_check", "-use_deltas", "-CRLfile", fullBefore, "-CRLfile", delta);

        // An explicit publication rebuilds the complete CRL and every shard; each verifies.
        using var publish = await host.Client.PostAsync($"/api/ca/{host.IssuingId}/crl", null);
        var published = await publish.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        Assert.Equal(6, published.GetArrayLength()); // full, 4 shards, delta
        var full = await FetchCrlAsync($"/api/ca/{host.IssuingId}/crl", "full.pem");
        AssertVerifyRevoked(root, issuing, leaf, "-crl_check", "-CRLfile", full);
        foreach (var crl in published.EnumerateArray())
        {
            var path = await FetchCrlAsync(Url(crl.GetProperty("url").GetString()!).PathAndQuery, "check.pem");
            CrlEncoderTests.AssertCrlVerifies(ToDer(path), issuing);
        }
    }

    [Fact]
    public async Task Revoking_a_revoked_certificate_again_signs_no_crl_and_no_ocsp_response()
    {
        var (serial, _) = await IssueAsync("again.internal");
        using (var first = await RevokeAsync(serial, "keyCompromise"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // Long enough after the publication that the first revocation's CRLs would not hold back another.
        host.Time.Advance(CrlInterval);
        var signatures = host.Keys.Signatures;
        for (var i = 0; i < 3; i++)
        {
            using var again = await RevokeAsync(serial, "superseded");
            var body = await again.JsonAsync();
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.True(body.GetProperty("alreadyRevoked").GetBoolean());
            Assert.Equal("keyCompromise", body.GetProperty("reason").GetString());
        }

        Assert.Equal(signatures, host.Keys.Signatures);
    }

    [Fact]
    public async Task Revoking_again_finishes_a_revocation_that_stopped_after_its_record()
    {
        var (serial, leaf) = await IssueAsync("cutshort.internal");
        var (root, issuing) = await ChainAsync();

        // The record says revoked, and nothing after it was written: the process died there.
        await host.App.Services.GetRequiredService<ICertificateStore>().TryRevokeAsync(serial, CaBootstrapper.Truncate(host.Time.GetUtcNow()), RevocationReason.KeyCompromise);
        Assert.Contains(leaf + ": good", OcspQuery(root, issuing, leaf, "-no_nonce").Stdout);

        host.Time.Advance(CrlInterval);
        using var again = await RevokeAsync(serial, "keyCompromise");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((await again.JsonAsync()).GetProperty("alreadyRevoked").GetBoolean());
        Assert.Contains(leaf + ": revoked", OcspQuery(root, issuing, leaf, "-no_nonce").Stdout);
        AssertVerifyRevoked(root, issuing, leaf, "-crl_check", "-CRLfile", await FetchCrlAsync(CrlDistributionPoint(leaf).PathAndQuery, "cutshort.pem"));
    }

    [Fact]
    public async Task A_burst_of_revocations_signs_the_crls_once_and_the_crl_timer_publishes_the_rest_together()
    {
        const int burst = 10;
        var issued = new List<(string Serial, string Leaf)>();
        for (var i = 0; i < burst; i++)
        {
            issued.Add(await IssueAsync($"burst{i}.internal"));
        }

        var (root, issuing) = await ChainAsync();
        var caKey = await host.KeyOfAsync(host.IssuingId);
        host.Time.Advance(CrlInterval);
        var before = host.Keys.SignaturesWith(caKey);
        foreach (var (serial, _) in issued)
        {
            using var revoke = await RevokeAsync(serial, "keyCompromise");
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        // The first revocation published its shard and the delta (and a complete CRL as the delta's base, if there was
        // none); the other nine only marked their shards pending. OCSP says revoked for every one at once.
        var byRequests = host.Keys.SignaturesWith(caKey) - before;
        Assert.InRange(byRequests, 2, 3);
        Assert.Contains(issued[^1].Leaf + ": revoked", OcspQuery(root, issuing, issued[^1].Leaf, "-no_nonce").Stdout);
        AssertVerifyRevoked(root, issuing, issued[0].Leaf, "-crl_check", "-CRLfile", await FetchCrlAsync(CrlDistributionPoint(issued[0].Leaf).PathAndQuery, "first.pem"));

        // The CRL timer publishes each pending shard once and one delta, for all of them together.
        var beforeTimer = host.Keys.SignaturesWith(caKey);
        await host.RunTimerAsync(nameof(Authorities.RefreshCrls));
        Assert.InRange(host.Keys.SignaturesWith(caKey) - beforeTimer, 2, DefaultShards + 1);
        var delta = Openssl.Run("crl", "-in", await FetchCrlAsync($"/api/ca/{host.IssuingId}/crl/delta", "burst-delta.pem"), "-noout", "-text").EnsureSuccess().Stdout;
        foreach (var (serial, leaf) in issued)
        {
            Assert.Contains(serial.ToUpperInvariant(), delta.ToUpperInvariant());
            AssertVerifyRevoked(root, issuing, leaf, "-crl_check", "-CRLfile", await FetchCrlAsync(CrlDistributionPoint(leaf).PathAndQuery, "burst-shard.pem"));
        }

        // Nothing is pending any more: the next run signs nothing.
        var settled = host.Keys.SignaturesWith(caKey);
        await host.RunTimerAsync(nameof(Authorities.RefreshCrls));
        Assert.Equal(settled, host.Keys.SignaturesWith(caKey));
    }

    [Fact]
    public async Task Root_crl_is_published_by_an_explicit_operation_and_covers_the_issuing_ca()
    {
        var (serial, leaf) = await IssueAsync("rootcrl.internal");
        var (root, issuing) = await ChainAsync();

        await (await host.Client.GetAsync($"/api/ca/{host.RootId}/crl")).AssertProblemAsync(HttpStatusCode.NotFound, "crl-not-published");

        using (var publish = await host.Client.PostAsync($"/api/ca/{host.RootId}/crl", null))
        {
            var body = await publish.JsonAsync();
            Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
            Assert.Equal("full", Assert.Single(body.EnumerateArray()).GetProperty("kind").GetString());
        }

        var rootCrl = await FetchCrlAsync($"/api/ca/{host.RootId}/crl", "root-crl.pem");
        CrlEncoderTests.AssertCrlVerifies(ToDer(rootCrl), root);
        Assert.Contains("No Revoked Certificates.", Openssl.Run("crl", "-in", rootCrl, "-noout", "-text").Stdout);

        host.Time.Advance(CrlInterval);
        using (await RevokeAsync(serial, "superseded"))
        {
        }

        var shard = await FetchCrlAsync(CrlDistributionPoint(leaf).PathAndQuery, "shard.pem");
        AssertVerifyRevoked(root, issuing, leaf, "-crl_check_all", "-CRLfile", rootCrl, "-CRLfile", shard);
    }

    [Fact]
    public async Task Bad_input_gets_a_protocol_error_or_a_problem_and_changes_nothing()
    {
        var (serial, leaf) = await IssueAsync("bad.internal");
        var (root, issuing) = await ChainAsync();

        // Garbage and empty OCSP bodies, bad base64 in GET: malformedRequest, never HTTP 500.
        foreach (var response in new[]
        {
            await host.Client.PostAsync("/api/ocsp", new ByteArrayContent("not an ocsp request"u8.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/ocsp-request") } }),
            await host.Client.PostAsync("/api/ocsp", new ByteArrayContent(new byte[10_000])),
            await host.Client.GetAsync("/api/ocsp/%%%not-base64"),
            await host.Client.GetAsync("/api/ocsp/AAAA"),
        })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/ocsp-response", response.Content.Headers.ContentType?.MediaType);
            var text = Openssl.Run("ocsp", "-respin", _ssl.Write("error.der", await response.Content.ReadAsByteArrayAsync()), "-resp_text", "-noverify");
            Assert.Contains("Responder Error: malformedrequest (1)", text.Stdout + text.Stderr);
        }

        // An issuer we do not have: unauthorized.
        var otherKey = _ssl.NewKey("other-ca.key", "ec:P-256");
        var otherCa = _ssl.PathOf("other-ca.pem");
        Openssl.Run("req", "-x509", "-new", "-key", otherKey, "-subj", "/CN=Someone Else", "-days", "2", "-out", otherCa).EnsureSuccess();
        var unauthorized = Openssl.Run("ocsp", "-issuer", otherCa, "-serial", "0x1234", "-url", Url("/api/ocsp").ToString(), "-noverify");
        Assert.Contains("Responder Error: unauthorized (6)", unauthorized.Stdout + unauthorized.Stderr);

        // A serial this CA never issued: a signed "unknown".
        var unknown = Openssl.Run("ocsp", "-issuer", issuing, "-serial", "0x0123456789abcdef", "-url", Url("/api/ocsp").ToString(), "-CAfile", root, "-verify_other", issuing);
        Assert.Contains("Response verify OK", unknown.Stdout + unknown.Stderr);
        Assert.Contains("0x0123456789abcdef: unknown", unknown.Stdout);

        // Revocation refusals: problem+json, and the certificate stays good.
        await (await RevokeAsync(serial, "becauseISaidSo")).AssertProblemAsync(HttpStatusCode.BadRequest, "unknown-revocation-reason");
        await (await RevokeAsync(serial, "certificateHold")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "hold-not-supported");
        await (await RevokeAsync("0abc0abc0abc0abc", "keyCompromise")).AssertProblemAsync(HttpStatusCode.NotFound, "unknown-certificate");
        await (await RevokeAsync("not-hex", "keyCompromise")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-serial");
        await (await host.Client.PostAsync($"/api/certificates/{serial}/revoke", new StringContent("{", System.Text.Encoding.UTF8, "application/json"))).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-json");
        await (await host.Client.GetAsync($"/api/ca/{host.IssuingId}/crl/99")).AssertProblemAsync(HttpStatusCode.NotFound, "unknown-crl");
        await (await host.Client.GetAsync($"/api/ca/{host.IssuingId}/crl/banana")).AssertProblemAsync(HttpStatusCode.NotFound, "unknown-crl");
        await (await host.Client.GetAsync("/api/ca/no-such-ca/crl")).AssertProblemAsync(HttpStatusCode.NotFound, "unknown-ca");

        Assert.Equal("issued", (await (await host.Client.GetAsync($"/api/certificates/{serial}")).JsonAsync()).GetProperty("status").GetString());
        Assert.Contains(leaf + ": good", OcspQuery(root, issuing, leaf, "-no_nonce").Stdout);
    }

    [Fact]
    public async Task Ocsp_get_and_crl_responses_carry_http_caching_headers()
    {
        var (_, leaf) = await IssueAsync("cache.internal");
        var (_, issuing) = await ChainAsync();
        var requestDer = _ssl.PathOf("req.der");
        Openssl.Run("ocsp", "-issuer", issuing, "-cert", leaf, "-no_nonce", "-reqout", requestDer).EnsureSuccess();
        var encoded = Uri.EscapeDataString(Convert.ToBase64String(await File.ReadAllBytesAsync(requestDer)));

        using var get = await host.Client.GetAsync("/api/ocsp/" + encoded);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var cacheControl = get.Headers.CacheControl!;
        Assert.True(cacheControl.Public && cacheControl.NoTransform && cacheControl.MustRevalidate, cacheControl.ToString());
        Assert.InRange(cacheControl.MaxAge!.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
        Assert.NotNull(get.Content.Headers.LastModified);
        Assert.NotNull(get.Content.Headers.Expires);
        Assert.NotNull(get.Headers.ETag);
        var status = Openssl.Run("ocsp", "-respin", _ssl.Write("get.der", await get.Content.ReadAsByteArrayAsync()), "-issuer", issuing, "-cert", leaf, "-noverify");
        Assert.Contains(leaf + ": good", status.Stdout);

        // A cache revalidating with the ETag gets 304.
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/ocsp/" + encoded) { Headers = { IfNoneMatch = { get.Headers.ETag! } } };
        Assert.Equal(HttpStatusCode.NotModified, (await host.Client.SendAsync(conditional)).StatusCode);

        using var crl = await host.Client.GetAsync($"/api/ca/{host.IssuingId}/crl");
        Assert.Equal("application/pkix-crl", crl.Content.Headers.ContentType?.MediaType);
        Assert.True(crl.Headers.CacheControl!.Public);
        Assert.InRange(crl.Headers.CacheControl.MaxAge!.Value, TimeSpan.Zero, TimeSpan.FromHours(24));
        Assert.NotNull(crl.Content.Headers.LastModified);
        using var crlConditional = new HttpRequestMessage(HttpMethod.Get, $"/api/ca/{host.IssuingId}/crl") { Headers = { IfNoneMatch = { crl.Headers.ETag! } } };
        Assert.Equal(HttpStatusCode.NotModified, (await host.Client.SendAsync(crlConditional)).StatusCode);
    }

    private OpensslResult OcspQuery(string root, string issuing, string leaf, string nonce) =>
        Openssl.Run("ocsp", "-issuer", issuing, "-cert", leaf, "-url", Url("/api/ocsp").ToString(), "-CAfile", root, "-verify_other", issuing, nonce).EnsureSuccess();

    private async Task<(string Serial, string LeafPath)> IssueAsync(string name)
    {
        var key = _ssl.NewKey(name + ".key", "ec:P-256");
        var issued = await host.Client.IssueAsync(_ssl.NewCsr(key, "/CN=" + name, "DNS:" + name));
        return (issued.GetProperty("serialNumber").GetString()!, _ssl.Write(name + ".pem", issued.GetProperty("certificatePem").GetString()!));
    }

    private async Task<(string Root, string Issuing)> ChainAsync() =>
        (_ssl.Write("root.pem", await host.Client.GetStringAsync($"/api/ca/{host.RootId}/certificate")),
         _ssl.Write("issuing.pem", await host.Client.GetStringAsync($"/api/ca/{host.IssuingId}/certificate")));

    private Task<HttpResponseMessage> RevokeAsync(string serial, string reason) =>
        host.Client.PostAsJsonAsync($"/api/certificates/{serial}/revoke", new { reason });

    /// <summary>Downloads a DER CRL and writes it as PEM, the form openssl verify -CRLfile reads.</summary>
    private async Task<string> FetchCrlAsync(string path, string name)
    {
        using var response = await host.Client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var der = _ssl.Write(name + ".der", await response.Content.ReadAsByteArrayAsync());
        var pem = _ssl.PathOf(name);
        Openssl.Run("crl", "-inform", "DER", "-in", der, "-out", pem).EnsureSuccess();
        return pem;
    }

    private string ToDer(string pemCrl)
    {
        var der = pemCrl + ".der";
        Openssl.Run("crl", "-in", pemCrl, "-outform", "DER", "-out", der).EnsureSuccess();
        return der;
    }

    /// <summary>The CRL distribution point openssl reads from the certificate, on the test host.</summary>
    private Uri CrlDistributionPoint(string certificatePath) =>
        Url(Regex.Match(Openssl.Run("x509", "-in", certificatePath, "-noout", "-ext", "crlDistributionPoints").EnsureSuccess().Stdout, @"URI:(\S+)").Groups[1].Value);

    /// <summary>A URL in a certificate names the public base URL; the test host listens elsewhere.</summary>
    private Uri Url(string pathOrUrl) =>
        new(host.BaseAddress, pathOrUrl.Replace(DevHostFixture.PublicBaseUrl, string.Empty, StringComparison.Ordinal));

    private static void AssertVerifyOk(string root, string issuing, string leaf, params string[] options)
    {
        var result = Openssl.Run(["verify", "-x509_strict", "-CAfile", root, "-untrusted", issuing, .. options, leaf]);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
    }

    private static void AssertVerifyRevoked(string root, string issuing, string leaf, params string[] options)
    {
        var result = Openssl.Run(["verify", "-x509_strict", "-CAfile", root, "-untrusted", issuing, .. options, leaf]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("certificate revoked", result.Stdout + result.Stderr);
    }

    private static string CollapseSpaces(string text) => Spaces().Replace(text, " ");

    [GeneratedRegex(" +")]
    private static partial Regex Spaces();
}
