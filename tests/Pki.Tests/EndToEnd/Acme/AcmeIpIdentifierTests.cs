using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// IP identifiers (RFC 8738) over HTTPS: an IPv4 and an IPv6 loopback address are validated by http-01 at the address
/// itself and issued with an iPAddress SAN that openssl reads back; an address outside the team's grants or the name
/// policy's ranges, one not in textual form, and a CSR whose addresses differ from the order are refused, storing nothing.
/// </summary>
public sealed class AcmeIpIdentifierTests(AcmeHostFixture host) : IClassFixture<AcmeHostFixture>, IDisposable
{
    private readonly HttpClient _https = host.AcmeClient();

    public void Dispose() => _https.Dispose();

    [Theory]
    [InlineData("127.0.0.1", "IP Address:127.0.0.1")]
    [InlineData("::1", "IP Address:0:0:0:0:0:0:0:1")]
    public async Task Ip_identifier_is_validated_at_the_address_and_issued_with_an_ip_san(string address, string opensslSan)
    {
        var client = await RegisteredAsync();
        var chain = await client.ObtainAsync(address, host.Http01Port);

        using var ssl = new Openssl();
        var certificates = X509Certificate2Collection(chain);
        var leaf = ssl.Write("leaf.pem", certificates[0].ExportCertificatePem());
        var issuer = ssl.Write("issuer.pem", certificates[1].ExportCertificatePem());
        var root = ssl.Write("root.pem", host.RootPem);
        Openssl.AssertVerifies(root, issuer, leaf, "sslserver");
        var text = Openssl.Run("x509", "-in", leaf, "-noout", "-ext", "subjectAltName").EnsureSuccess().Stdout;
        Assert.Contains(opensslSan, text, StringComparison.Ordinal);
        Assert.DoesNotContain("DNS:", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.20.30.40", "not granted the IP address")]
    [InlineData("192.0.2.7", "outside the allowed ranges")]
    [InlineData("127.1", "textual form")]
    [InlineData("::ffff:127.0.0.1", "IPv4-mapped")]
    [InlineData("fe80::1%lo", "textual form")]
    public async Task Ip_identifier_outside_grants_or_policy_or_not_textual_is_rejected(string address, string reason)
    {
        var client = await RegisteredAsync();
        var state = await StateAsync();
        using var response = await client.PostAsync(client.Url("newOrder"), new JsonObject
        {
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "ip", ["value"] = address }),
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, text);
        var body = JsonNode.Parse(text)!;
        Assert.Equal("urn:ietf:params:acme:error:rejectedIdentifier", body["type"]!.GetValue<string>());
        Assert.Contains(reason, body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(state, await StateAsync());
    }

    [Theory]
    [InlineData("127.0.0.2")]
    [InlineData("127.0.0.1,127.0.0.2")]
    public async Task Csr_whose_ip_addresses_differ_from_the_order_is_bad_csr(string csrAddresses)
    {
        var client = await RegisteredAsync();
        using var order = await client.PostAsync(client.Url("newOrder"), new JsonObject
        {
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "ip", ["value"] = "127.0.0.1" }),
        });
        Assert.Equal(HttpStatusCode.Created, order.StatusCode);
        var orderBody = await AcmeTestClient.JsonAsync(order);
        await client.ValidateAsync(orderBody["authorizations"]![0]!.GetValue<string>(), host.Http01Port);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var address in csrAddresses.Split(','))
        {
            san.AddIpAddress(IPAddress.Parse(address));
        }

        request.CertificateExtensions.Add(san.Build());
        var state = await StateAsync();
        using var finalize = await client.PostAsync(orderBody["finalize"]!.GetValue<string>(), new JsonObject { ["csr"] = AcmeTestClient.B64(request.CreateSigningRequest()) });
        var text = await finalize.Content.ReadAsStringAsync();
        Assert.True(finalize.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Equal("urn:ietf:params:acme:error:badCSR", JsonNode.Parse(text)!["type"]!.GetValue<string>());
        Assert.Equal(state, await StateAsync());
    }

    private static X509Certificate2Collection X509Certificate2Collection(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        return collection;
    }

    private async Task<AcmeTestClient> RegisteredAsync()
    {
        var (kid, hmac) = await host.CreateEabAsync();
        var client = await AcmeTestClient.Es256(_https, host.DirectoryUrl).LoadAsync();
        await client.RegisterAsync(kid, hmac);
        return client;
    }

    private async Task<string> StateAsync()
    {
        var counts = new List<int>();
        foreach (var table in new[] { AcmeTableNames.Orders, AcmeTableNames.Authorizations, AcmeTableNames.Certificates, TableNames.Certificates, TableNames.Requests })
        {
            counts.Add(await host.CountRowsAsync(table));
        }

        return string.Join(",", counts);
    }
}
