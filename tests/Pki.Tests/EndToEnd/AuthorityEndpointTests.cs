using System.Net;
using System.Net.Http.Headers;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

public sealed class AuthorityEndpointTests(DevHostFixture host) : IClassFixture<DevHostFixture>
{
    [Fact]
    public async Task Ca_list_has_the_root_and_the_issuing_ca_with_their_certificates()
    {
        using var response = await host.Client.GetAsync("/api/ca");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = (await response.JsonAsync()).EnumerateArray().ToArray();
        Assert.Equal(2, list.Length);

        var root = list.Single(c => c.GetProperty("id").GetString() == host.RootId);
        var issuing = list.Single(c => c.GetProperty("id").GetString() == host.IssuingId);
        Assert.Equal("root", root.GetProperty("role").GetString());
        Assert.Equal("issuing", issuing.GetProperty("role").GetString());
        Assert.Equal(host.RootId, issuing.GetProperty("parentId").GetString());
        Assert.Equal("pkcs11", issuing.GetProperty("keyProvider").GetString());
        Assert.True(issuing.GetProperty("notAfter").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddYears(1));

        using var ssl = new Openssl();
        var rootPem = ssl.Write("root.pem", root.GetProperty("certificatePem").GetString()!);
        var issuingPem = ssl.Write("issuing.pem", issuing.GetProperty("certificatePem").GetString()!);

        // The root verifies as a self-signed trust anchor; the issuing CA strictly under it.
        Assert.Equal(0, Openssl.Run("verify", "-x509_strict", "-CAfile", rootPem, rootPem).ExitCode);
        var verify = Openssl.Run("verify", "-x509_strict", "-CAfile", rootPem, issuingPem);
        Assert.True(verify.ExitCode == 0, verify.Stderr + verify.Stdout);

        var rootText = Openssl.Run("x509", "-in", rootPem, "-noout", "-text").EnsureSuccess().Stdout;
        Assert.Matches(@"Basic Constraints: critical\s+CA:TRUE", rootText);
        Assert.Matches(@"Key Usage: critical\s+Certificate Sign, CRL Sign", rootText);
        var issuingText = Openssl.Run("x509", "-in", issuingPem, "-noout", "-text").EnsureSuccess().Stdout;
        Assert.Matches(@"Basic Constraints: critical\s+CA:TRUE, pathlen:0", issuingText);
        Assert.Contains("Certificate Sign, CRL Sign", issuingText);
    }

    [Fact]
    public async Task Ca_certificate_is_pem_by_default_and_der_when_asked()
    {
        var pem = await host.Client.GetStringAsync($"/api/ca/{host.IssuingId}/certificate");
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/ca/{host.IssuingId}/certificate");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/pkix-cert"));
        using var response = await host.Client.SendAsync(request);
        Assert.Equal("application/pkix-cert", response.Content.Headers.ContentType!.MediaType);
        var der = await response.Content.ReadAsByteArrayAsync();

        // The caIssuers URL form (?format=der) serves the same bytes, which openssl reads as DER.
        var byQuery = await host.Client.GetByteArrayAsync($"/api/ca/{host.IssuingId}/certificate?format=der");
        Assert.Equal(der, byQuery);
        using var ssl = new Openssl();
        var text = Openssl.Run("x509", "-inform", "DER", "-in", ssl.Write("ca.der", der), "-noout", "-subject").EnsureSuccess().Stdout;
        Assert.Contains("Serverless PKI Issuing CA 1", text);
    }

    [Fact]
    public async Task Health_is_200_json()
    {
        using var response = await host.Client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("healthy", (await response.JsonAsync()).GetProperty("status").GetString());
    }
}
