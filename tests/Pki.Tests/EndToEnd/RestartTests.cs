using System.Net;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>State lives in storage and the token, not the process: a restarted host serves what the first issued.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task A_restarted_host_reuses_the_ca_and_serves_certificates_issued_before()
    {
        var prefix = TestEnvironment.UniqueId("r");
        var rootId = TestEnvironment.UniqueId("root-");
        var issuingId = TestEnvironment.UniqueId("issuing-");
        using var ssl = new Openssl();
        var csr = ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=restart.internal", "DNS:restart.internal");

        string serial, certificate, rootPem;
        var first = await DevHostFixture.StartAsync(prefix, rootId, issuingId);
        await using (first)
        {
            using var client = TestCallers.Admin.Client(new Uri(first.Urls.First()));
            var issued = await client.IssueAsync(csr);
            serial = issued.GetProperty("serialNumber").GetString()!;
            certificate = issued.GetProperty("certificatePem").GetString()!;
            rootPem = await client.GetStringAsync($"/api/ca/{rootId}/certificate");
            await first.StopAsync();
        }

        var second = await DevHostFixture.StartAsync(prefix, rootId, issuingId);
        await using (second)
        {
            using var client = TestCallers.Admin.Client(new Uri(second.Urls.First()));
            using var response = await client.GetAsync("/api/certificates/" + serial);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(certificate, (await response.JsonAsync()).GetProperty("certificatePem").GetString());

            // Bootstrap found the hierarchy: same root certificate, no second CA pair.
            Assert.Equal(rootPem, await client.GetStringAsync($"/api/ca/{rootId}/certificate"));
            Assert.Equal(2, (await (await client.GetAsync("/api/ca")).JsonAsync()).GetArrayLength());

            // And it still issues under that same root.
            var next = await client.IssueAsync(csr);
            Openssl.AssertVerifies(
                ssl.Write("root.pem", rootPem),
                ssl.Write("chain.pem", next.GetProperty("chainPem").GetString()!),
                ssl.Write("leaf.pem", next.GetProperty("certificatePem").GetString()!));
            await second.StopAsync();
        }
    }
}
