using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>An RSA issuing CA in the token signing RSASSA-PSS, configured by settings alone.</summary>
public sealed class RsaPssIssuingCaTests
{
    [Fact]
    public async Task Rsa_pss_issuing_ca_issues_certificates_that_openssl_accepts()
    {
        var rootId = TestEnvironment.UniqueId("root-");
        var issuingId = TestEnvironment.UniqueId("issuing-");
        var app = await DevHostFixture.StartAsync(
            TestEnvironment.UniqueId("p"), rootId, issuingId,
            "--Pki:Ca:RootKeyAlgorithm=Rsa3072", "--Pki:Ca:IssuingKeyAlgorithm=Rsa2048", "--Pki:Ca:IssuingSignatureScheme=RsaPssSha256");
        await using (app)
        {
            using var client = TestCallers.Admin.Client(new Uri(app.Urls.First()));
            using var ssl = new Openssl();
            var issued = await client.IssueAsync(ssl.NewCsr(ssl.NewKey("k", "rsa:2048"), "/CN=pss.internal", "DNS:pss.internal"));
            var leaf = ssl.Write("leaf.pem", issued.GetProperty("certificatePem").GetString()!);
            var chain = ssl.Write("chain.pem", issued.GetProperty("chainPem").GetString()!);
            var root = ssl.Write("root.pem", await client.GetStringAsync($"/api/ca/{rootId}/certificate"));

            Openssl.AssertVerifies(root, chain, leaf, "sslserver");
            var gnutls = GnuTls.Verify(root, chain, leaf, "pss.internal", GnuTls.ServerAuth);
            Assert.True(gnutls.ExitCode == 0, gnutls.Stderr + gnutls.Stdout);
            var leafText = Openssl.Run("x509", "-in", leaf, "-noout", "-text").EnsureSuccess().Stdout;
            Assert.Contains("Signature Algorithm: rsassaPss", leafText);
            Assert.Contains("Digital Signature, Key Encipherment", leafText);
            Assert.Contains("Signature Algorithm: sha256WithRSAEncryption", Openssl.Run("x509", "-in", chain, "-noout", "-text").EnsureSuccess().Stdout);
            await app.StopAsync();
        }
    }
}
