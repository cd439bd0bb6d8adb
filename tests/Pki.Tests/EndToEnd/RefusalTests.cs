using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>Bad input gets a clear problem response, nothing is stored, and the service stays healthy.</summary>
public sealed class RefusalTests(DevHostFixture host) : IClassFixture<DevHostFixture>
{
    [Theory]
    [InlineData("/api/ocsp", "application/ocsp-request")]
    [InlineData("/api/certificates", "application/json")]
    public async Task A_body_that_stalls_is_400_not_a_logged_500(string path, string contentType)
    {
        // Announce 100 bytes, send 10 and stop: Kestrel gives up on a body below its minimum data rate after a 5 s grace.
        // Anonymous on OCSP, so anyone could fill the log with stack traces this way.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(host.BaseAddress.Host, host.BaseAddress.Port);
        var stream = tcp.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: {host.BaseAddress.Authority}\r\nContent-Type: {contentType}\r\nContent-Length: 100\r\n"
            + $"X-API-Key: {TestCallers.Admin.Key}\r\n\r\n0123456789";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
        using var reader = new StreamReader(stream);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var status = await reader.ReadLineAsync(timeout.Token);

        Assert.StartsWith("HTTP/1.1 400", status);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error && l.Message.Contains(path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Garbage_csr_is_400()
    {
        var problem = await RefusedAsync(await host.Client.RequestAsync("this is not a certificate request"), HttpStatusCode.BadRequest);
        Assert.Contains("PEM", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Truncated_der_csr_is_400()
    {
        using var ssl = new Openssl();
        var bytes = ConvertPemToDer(ssl, ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=a.internal", "DNS:a.internal"));
        var truncated = Convert.ToBase64String(bytes[..(bytes.Length / 2)]);
        var problem = await RefusedAsync(await host.Client.RequestAsync(truncated), HttpStatusCode.BadRequest);
        Assert.Contains("PKCS#10", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Csr_with_a_broken_signature_is_400()
    {
        using var ssl = new Openssl();
        var der = ConvertPemToDer(ssl, ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=a.internal", "DNS:a.internal"));

        // Flip a bit inside the subject's commonName: still valid DER, but the signature no longer matches.
        var at = IndexOf(der, Encoding.ASCII.GetBytes("a.internal"));
        der[at] ^= 0x01;
        var problem = await RefusedAsync(await host.Client.RequestAsync(Convert.ToBase64String(der)), HttpStatusCode.BadRequest);
        Assert.Contains("signature does not verify", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Rsa_1024_key_is_refused_with_the_reason()
    {
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("k", "rsa:1024"), "/CN=a.internal", "DNS:a.internal");
        var problem = await RefusedAsync(await host.Client.RequestAsync(csr), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("1024 bits", problem.GetProperty("detail").GetString());
        Assert.EndsWith("weak-key", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Name_outside_the_allowed_name_spaces_is_403()
    {
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=www.example.com", "DNS:www.example.com");
        var problem = await RefusedAsync(await host.Client.RequestAsync(csr), HttpStatusCode.Forbidden);
        Assert.Contains("www.example.com", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Invalid_punycode_is_422_invalid_dns_name()
    {
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=xn--a.internal", "DNS:xn--a.internal");
        var problem = await RefusedAsync(await host.Client.RequestAsync(csr), HttpStatusCode.UnprocessableEntity);
        Assert.EndsWith("invalid-dns-name", problem.GetProperty("type").GetString());
        Assert.Contains("punycode", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Tls_server_request_without_san_is_422()
    {
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=nosan.internal", null);
        var problem = await RefusedAsync(await host.Client.RequestAsync(csr), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("subjectAltName", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Unknown_profile_is_422_naming_the_known_ones()
    {
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=a.internal", "DNS:a.internal");
        var problem = await RefusedAsync(await host.Client.RequestAsync(csr, profile: "code-signing-ish"), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("tls-server", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Missing_owner_is_422()
    {
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=a.internal", "DNS:a.internal");
        var problem = await RefusedAsync(await host.Client.RequestAsync(csr, owner: null), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("owner", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Zero_validity_days_is_422()
    {
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=a.internal", "DNS:a.internal");
        await RefusedAsync(await host.Client.RequestAsync(csr, validityDays: 0), HttpStatusCode.UnprocessableEntity);
    }

    [Theory]
    [InlineData(10 * 1024 * 1024)]
    [InlineData(64 * 1024)]
    public async Task Body_over_the_64_KiB_limit_is_413(int csrLength)
    {
        var huge = new JsonObject { ["csr"] = new string('A', csrLength), ["profile"] = "tls-server", ["owner"] = "x" }.ToJsonString();
        using var content = new StringContent(huge, Encoding.UTF8, "application/json");
        var problem = await RefusedAsync(await host.Client.PostAsync("/api/certificates", content), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("65536 bytes", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Body_without_content_length_over_the_limit_is_413()
    {
        // Chunked transfer: the limit is enforced while reading, not only from the header.
        var huge = Encoding.UTF8.GetBytes(new JsonObject { ["csr"] = new string('A', 200 * 1024), ["profile"] = "tls-server", ["owner"] = "x" }.ToJsonString());
        using var content = new StreamContent(new NonSeekableStream(huge));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        await RefusedAsync(await host.Client.PostAsync("/api/certificates", content), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Body_that_is_not_json_is_400_and_wrong_media_type_is_415()
    {
        using var notJson = new StringContent("{\"csr\": ", Encoding.UTF8, "application/json");
        await RefusedAsync(await host.Client.PostAsync("/api/certificates", notJson), HttpStatusCode.BadRequest);

        using var wrongType = new StringContent("csr=abc", Encoding.UTF8, "application/x-www-form-urlencoded");
        await RefusedAsync(await host.Client.PostAsync("/api/certificates", wrongType), HttpStatusCode.UnsupportedMediaType);

        using var wrongShape = new StringContent("{\"csr\": 42}", Encoding.UTF8, "application/json");
        await RefusedAsync(await host.Client.PostAsync("/api/certificates", wrongShape), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unknown_route_and_unknown_ca_are_404_problems()
    {
        await RefusedAsync(await host.Client.GetAsync("/api/no-such-thing"), HttpStatusCode.NotFound);
        await RefusedAsync(await host.Client.GetAsync("/api/ca/no-such-ca/certificate"), HttpStatusCode.NotFound);
    }

    private async Task<JsonElement> RefusedAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await response.AssertProblemAsync(expected);

        // Nothing stored for a refused request, and the service still answers.
        Assert.Equal((0, 0, 0), await host.CountStateAsync());
        using var health = await host.Client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        return problem;
    }

    private static byte[] ConvertPemToDer(Openssl ssl, string pem)
    {
        var path = ssl.Write("req-" + Guid.NewGuid().ToString("N") + ".pem", pem);
        var der = ssl.PathOf("req.der");
        Openssl.Run("req", "-in", path, "-outform", "DER", "-out", der).EnsureSuccess();
        return File.ReadAllBytes(der);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        throw new InvalidOperationException("needle not found");
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
