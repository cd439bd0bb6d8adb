using System.Net;
using System.Security.Cryptography.X509Certificates;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// Certificate download with alternate chains (RFC 8555 §7.4.2): the default chain stops below the root, its
/// <c>Link: rel="alternate"</c> names the chain with the root appended, which links back; both start with the same
/// certificate and pass openssl verify -x509_strict. (The hierarchy has one path per CA: no cross-signed chain exists.)
/// </summary>
public sealed class AcmeAlternateChainTests(AcmeHostFixture host) : IClassFixture<AcmeHostFixture>, IDisposable
{
    private readonly HttpClient _https = host.AcmeClient();

    public void Dispose() => _https.Dispose();

    [Fact]
    public async Task Certificate_download_links_the_chain_with_the_root_as_its_alternate_and_back()
    {
        var (kid, hmac) = await host.CreateEabAsync();
        var client = await AcmeTestClient.Es256(_https, host.DirectoryUrl).LoadAsync();
        await client.RegisterAsync(kid, hmac);
        await client.ObtainAsync("127.0.0.1", host.Http01Port);
        var defaultUrl = client.LastCertificateUrl!;

        var (defaultChain, defaultLinks) = await DownloadAsync(client, defaultUrl);
        var alternateUrl = Assert.Single(Alternates(defaultLinks));
        Assert.Equal(defaultUrl + "/with-root", alternateUrl);
        var (alternateChain, alternateLinks) = await DownloadAsync(client, alternateUrl);
        Assert.Equal([defaultUrl], Alternates(alternateLinks));

        var root = X509Certificate2.CreateFromPem(host.RootPem);
        Assert.Equal(2, defaultChain.Count);
        Assert.Equal(3, alternateChain.Count);
        Assert.Equal(defaultChain[0].Thumbprint, alternateChain[0].Thumbprint);
        Assert.Equal(defaultChain[1].Thumbprint, alternateChain[1].Thumbprint);
        Assert.DoesNotContain(defaultChain, c => c.Thumbprint == root.Thumbprint);
        Assert.Equal(root.Thumbprint, alternateChain[2].Thumbprint);

        using var ssl = new Openssl();
        var rootFile = ssl.Write("root.pem", host.RootPem);
        foreach (var (name, chain) in new[] { ("default.pem", defaultChain), ("alternate.pem", alternateChain) })
        {
            var file = ssl.Write(name, string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n")));
            Openssl.AssertVerifies(rootFile, file, file, "sslserver");
        }
    }

    private static async Task<(X509Certificate2Collection Chain, string[] Links)> DownloadAsync(AcmeTestClient client, string url)
    {
        using var response = await client.PostAsync(url, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pem-certificate-chain", response.Content.Headers.ContentType?.MediaType);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(await response.Content.ReadAsStringAsync());
        return (chain, [.. response.Headers.GetValues("Link")]);
    }

    private static string[] Alternates(string[] links) =>
        [.. links.SelectMany(l => l.Split(',')).Where(l => l.Contains("rel=\"alternate\"", StringComparison.Ordinal)).Select(l => l.Trim()[1..l.Trim().IndexOf('>', StringComparison.Ordinal)])];
}
