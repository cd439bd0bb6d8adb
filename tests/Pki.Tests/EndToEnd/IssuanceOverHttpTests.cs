using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>CSRs made by openssl, posted over HTTP to the dev host, the results judged by openssl.</summary>
public sealed class IssuanceOverHttpTests(DevHostFixture host) : IClassFixture<DevHostFixture>
{
    public static TheoryData<string> KeySpecs => new() { "ec:P-256", "ec:P-384", "rsa:2048", "rsa:3072" };

    [Theory]
    [MemberData(nameof(KeySpecs))]
    public async Task Issued_tls_server_certificate_verifies_strictly_against_the_root(string keySpec)
    {
        using var ssl = new Openssl();
        var key = ssl.NewKey("leaf.key", keySpec);
        var csr = ssl.NewCsr(key, "/CN=web.internal", "DNS:web.internal,DNS:api.web.internal,IP:127.0.0.1");

        var issued = await host.Client.IssueAsync(csr);
        var leaf = ssl.Write("leaf.pem", issued.GetProperty("certificatePem").GetString()!);
        var chain = ssl.Write("chain.pem", issued.GetProperty("chainPem").GetString()!);
        var root = ssl.Write("root.pem", await host.Client.GetStringAsync($"/api/ca/{host.RootId}/certificate"));

        Assert.Contains("leaf.pem: OK", Openssl.AssertVerifies(root, chain, leaf, "sslserver").Stdout);

        // A second, independent implementation agrees, with the host name and purpose checked too.
        var gnutls = GnuTls.Verify(root, chain, leaf, "api.web.internal", GnuTls.ServerAuth);
        Assert.True(gnutls.ExitCode == 0, gnutls.Stderr + gnutls.Stdout);
        Assert.Contains("Chain verification output: Verified.", gnutls.Stdout);
        Assert.NotEqual(0, GnuTls.Verify(root, chain, leaf, "other.internal", GnuTls.ServerAuth).ExitCode);
        Assert.NotEqual(0, GnuTls.Verify(root, chain, leaf, "web.internal", GnuTls.ClientAuth).ExitCode);

        var text = Openssl.Run("x509", "-in", leaf, "-noout", "-text").EnsureSuccess().Stdout;
        Assert.Contains("DNS:web.internal, DNS:api.web.internal, IP Address:127.0.0.1", text);
        Assert.Contains("TLS Web Server Authentication", text);
        Assert.DoesNotContain("TLS Web Client Authentication", text);
        Assert.Matches(@"Basic Constraints: critical\s+CA:FALSE", text);
        Assert.Matches(@"CRL Distribution Points:\s+Full Name:\s+URI:http://pki\.test:7071/api/ca/" + host.IssuingId + @"/crl/[0-3]\s", text);
        Assert.Matches(@"Freshest CRL:\s+Full Name:\s+URI:http://pki\.test:7071/api/ca/" + host.IssuingId + @"/crl/delta\s", text);
        Assert.Contains("OCSP - URI:http://pki.test:7071/api/ocsp", text);
        Assert.Contains($"CA Issuers - URI:http://pki.test:7071/api/ca/{host.IssuingId}/certificate?format=der", text);

        // The serial openssl reads is the one the API reports: 16 random bytes, positive.
        var serial = Openssl.Run("x509", "-in", leaf, "-noout", "-serial").EnsureSuccess().Stdout.Trim();
        Assert.Equal("serial=" + issued.GetProperty("serialNumber").GetString()!.ToUpperInvariant(), serial);
        Assert.Matches("^[0-9a-f]{32}$", issued.GetProperty("serialNumber").GetString()!);

        // The leaf carries the CSR's public key, not some other one.
        var csrKey = Openssl.RunWithInput(csr, "req", "-pubkey", "-noout").EnsureSuccess().Stdout;
        var certKey = Openssl.Run("x509", "-in", leaf, "-noout", "-pubkey").EnsureSuccess().Stdout;
        Assert.Equal(csrKey, certKey);

        var lifetime = issued.GetProperty("notAfter").GetDateTimeOffset() - issued.GetProperty("notBefore").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromDays(47), lifetime);
        Assert.Equal("issued", issued.GetProperty("status").GetString());
        Assert.Equal("tls-server", issued.GetProperty("profile").GetString());
        Assert.Equal("alice@corp.internal", issued.GetProperty("owner").GetString());
    }

    [Fact]
    public async Task Csr_with_a_compressed_ec_point_is_issued_with_the_uncompressed_point_that_gnutls_reads()
    {
        using var ssl = new Openssl();
        var key = ssl.NewKey("leaf.key", "ec:P-256");
        var compressed = ssl.PathOf("compressed.key");
        Openssl.Run("ec", "-in", key, "-conv_form", "compressed", "-out", compressed).EnsureSuccess();
        var csr = ssl.NewCsr(compressed, "/CN=point.internal", "DNS:point.internal");
        var uncompressed = Openssl.Run("pkey", "-in", key, "-pubout").EnsureSuccess().Stdout;
        Assert.NotEqual(uncompressed, Openssl.RunWithInput(csr, "req", "-pubkey", "-noout").EnsureSuccess().Stdout);

        var issued = await host.Client.IssueAsync(csr);
        var leaf = ssl.Write("leaf.pem", issued.GetProperty("certificatePem").GetString()!);
        var chain = ssl.Write("chain.pem", issued.GetProperty("chainPem").GetString()!);
        var root = ssl.Write("root.pem", await host.Client.GetStringAsync($"/api/ca/{host.RootId}/certificate"));

        // The same key, in the uncompressed form openssl writes by default.
        Assert.Equal(uncompressed, Openssl.Run("x509", "-in", leaf, "-noout", "-pubkey").EnsureSuccess().Stdout);
        var gnutls = GnuTls.Verify(root, chain, leaf, "point.internal", GnuTls.ServerAuth);
        Assert.True(gnutls.ExitCode == 0, gnutls.Stderr + gnutls.Stdout);
        Assert.Contains("Chain verification output: Verified.", gnutls.Stdout);
    }

    [Fact]
    public async Task Dns_names_and_the_common_name_are_issued_in_lower_case()
    {
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("leaf.key", "ec:P-256"), "/CN=Mixed.Case.Internal", "DNS:Mixed.Case.Internal,DNS:API.mixed.case.INTERNAL");

        var issued = await host.Client.IssueAsync(csr);
        var leaf = ssl.Write("leaf.pem", issued.GetProperty("certificatePem").GetString()!);
        var text = Openssl.Run("x509", "-in", leaf, "-noout", "-text").EnsureSuccess().Stdout;
        Assert.Contains("DNS:mixed.case.internal, DNS:api.mixed.case.internal", text);
        Assert.Contains("Subject: CN = mixed.case.internal", text);
    }

    [Fact]
    public async Task Tls_client_certificate_carries_client_auth_and_verifies_for_ssl_client_purpose()
    {
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("c.key", "ec:P-256"), "/CN=orders.svc.internal", null);

        var issued = await host.Client.IssueAsync(csr, profile: "tls-client");
        var leaf = ssl.Write("leaf.pem", issued.GetProperty("certificatePem").GetString()!);
        var chain = ssl.Write("chain.pem", issued.GetProperty("chainPem").GetString()!);
        var root = ssl.Write("root.pem", await host.Client.GetStringAsync($"/api/ca/{host.RootId}/certificate"));

        Openssl.AssertVerifies(root, chain, leaf, "sslclient");
        var gnutls = GnuTls.Verify(root, chain, leaf, null, GnuTls.ClientAuth);
        Assert.True(gnutls.ExitCode == 0, gnutls.Stderr + gnutls.Stdout);
        var text = Openssl.Run("x509", "-in", leaf, "-noout", "-text").EnsureSuccess().Stdout;
        Assert.Contains("TLS Web Client Authentication", text);
        Assert.DoesNotContain("TLS Web Server Authentication", text);
        Assert.Contains("Subject: CN = orders.svc.internal", text);
    }

    [Fact]
    public async Task Openssl_tls_handshake_succeeds_with_an_issued_certificate_and_hostname_check()
    {
        using var ssl = new Openssl();
        var key = ssl.NewKey("server.key", "ec:P-256");
        var issued = await host.Client.IssueAsync(ssl.NewCsr(key, "/CN=tls.test", "DNS:tls.test"));
        var cert = ssl.Write("server.pem", issued.GetProperty("certificatePem").GetString()!);
        var chain = ssl.Write("chain.pem", issued.GetProperty("chainPem").GetString()!);
        var root = ssl.Write("root.pem", await host.Client.GetStringAsync($"/api/ca/{host.RootId}/certificate"));

        var port = FreePort();
        using var server = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("openssl")
        {
            ArgumentList = { "s_server", "-accept", "127.0.0.1:" + port, "-cert", cert, "-key", key, "-cert_chain", chain, "-www", "-quiet" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        try
        {
            await WaitForPortAsync(port);
            var client = Openssl.RunWithInput(
                "Q\n", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "tls.test", "-CAfile", root,
                "-verify_return_error", "-verify_hostname", "tls.test", "-x509_strict");
            Assert.True(client.ExitCode == 0, client.Stderr + client.Stdout);
            Assert.Contains("Verify return code: 0 (ok)", client.Stdout);

            // The same chain must fail for a name the certificate does not carry.
            var wrongName = Openssl.RunWithInput(
                "Q\n", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "tls.test", "-CAfile", root,
                "-verify_return_error", "-verify_hostname", "other.test");
            Assert.NotEqual(0, wrongName.ExitCode);
            Assert.Contains("hostname mismatch", wrongName.Stdout + wrongName.Stderr);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Certificate_is_read_back_by_serial_in_any_hex_spelling()
    {
        using var ssl = new Openssl();
        var issued = await host.Client.IssueAsync(ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=read.internal", "DNS:read.internal"));
        var serial = issued.GetProperty("serialNumber").GetString()!;
        var colons = Regex.Replace(serial.ToUpperInvariant(), "(..)(?!$)", "$1:");

        foreach (var spelling in new[] { serial, serial.ToUpperInvariant(), colons })
        {
            using var response = await host.Client.GetAsync("/api/certificates/" + spelling);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var read = await response.JsonAsync();
            Assert.Equal(serial, read.GetProperty("serialNumber").GetString());
            Assert.Equal(issued.GetProperty("certificatePem").GetString(), read.GetProperty("certificatePem").GetString());
            Assert.Equal(issued.GetProperty("chainPem").GetString(), read.GetProperty("chainPem").GetString());
        }
    }

    [Fact]
    public async Task Requested_validity_is_kept_when_short_and_capped_at_the_profile_maximum()
    {
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=life.internal", "DNS:life.internal");

        var shortLived = await host.Client.IssueAsync(csr, validityDays: 10);
        Assert.Equal(TimeSpan.FromDays(10), shortLived.GetProperty("notAfter").GetDateTimeOffset() - shortLived.GetProperty("notBefore").GetDateTimeOffset());

        var capped = await host.Client.IssueAsync(csr, validityDays: 400);
        Assert.Equal(TimeSpan.FromDays(47), capped.GetProperty("notAfter").GetDateTimeOffset() - capped.GetProperty("notBefore").GetDateTimeOffset());

        // openssl agrees with what the JSON says.
        var leaf = ssl.Write("capped.pem", capped.GetProperty("certificatePem").GetString()!);
        var enddate = Openssl.Run("x509", "-in", leaf, "-noout", "-enddate").EnsureSuccess().Stdout.Trim()["notAfter=".Length..];
        var parsed = DateTime.ParseExact(Regex.Replace(enddate, " +", " "), "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        Assert.Equal(capped.GetProperty("notAfter").GetDateTimeOffset().UtcDateTime, parsed);
    }

    [Fact]
    public async Task Same_idempotency_key_returns_the_first_certificate_and_issues_nothing_new()
    {
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=idem.internal", "DNS:idem.internal");
        var key = Guid.NewGuid().ToString();

        using var first = await host.Client.RequestAsync(csr, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstBody = await first.JsonAsync();
        var before = await host.CountStateAsync();
        Assert.True(before.Certificates >= 1 && before.Requests >= 1 && before.Index >= 1, $"the issuance left no trace in storage: {before}");

        using var second = await host.Client.RequestAsync(csr, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        var secondBody = await second.JsonAsync();
        Assert.Equal(firstBody.GetProperty("serialNumber").GetString(), secondBody.GetProperty("serialNumber").GetString());
        Assert.Equal(firstBody.GetProperty("certificatePem").GetString(), secondBody.GetProperty("certificatePem").GetString());
        Assert.Equal(before, await host.CountStateAsync());

        // The same key with another body is the caller's mistake, not a replay.
        using var other = await host.Client.RequestAsync(csr, owner: "bob@corp.internal", idempotencyKey: key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType!.MediaType);
        Assert.Equal(before, await host.CountStateAsync());
    }

    [Fact]
    public async Task Unknown_serial_is_a_404_problem_and_a_malformed_one_a_400_problem()
    {
        using var unknown = await host.Client.GetAsync("/api/certificates/" + new string('7', 32));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType!.MediaType);
        var problem = await unknown.JsonAsync();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Contains("7777", problem.GetProperty("detail").GetString());

        using var malformed = await host.Client.GetAsync("/api/certificates/not-hex");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType!.MediaType);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var tcp = new System.Net.Sockets.TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"openssl s_server did not listen on {port}");
    }
}
