using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Pki.Core.Acme;
using Pki.Core.Storage;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// Wrong answers to tls-alpn-01 and dns-01, and a validation target outside the allowed networks, over the whole ACME
/// flow: each ends the challenge, its authorization and the order invalid with the RFC 8555 problem that says why,
/// finalize is refused, and no certificate is issued. The right answers are proved by lego (<see cref="LegoTests"/>)
/// and, for the same responder these tests use, by the first test here.
/// </summary>
public sealed class AcmeChallengeRefusalTests(AcmeDnsHostFixture host) : IClassFixture<AcmeDnsHostFixture>, IDisposable
{
    private const string AlpnName = "alpn.web.internal";
    private readonly HttpClient _https = host.AcmeClient();

    public void Dispose() => _https.Dispose();

    [Fact]
    public async Task Tls_alpn01_answer_as_rfc8737_asks_is_valid()
    {
        var client = await RegisteredAsync();
        var order = await OrderAsync(client, AlpnName, AcmeChallenge.TlsAlpn01);
        await using var responder = TlsAlpnResponder.Start(host.TlsAlpn01Port,
            TlsAlpnResponder.Certificate([AlpnName], TlsAlpnResponder.Digest(order.KeyAuthorization)));
        var (authorization, challenge) = await RespondAsync(client, order);
        Assert.Equal("valid", authorization);
        Assert.Equal("valid", challenge["status"]!.GetValue<string>());
    }

    public static TheoryData<string, string> WrongCertificates => new()
    {
        { "wrong digest", "acmeIdentifier extension than the SHA-256" },
        { "extension not critical", "not critical" },
        { "no acmeIdentifier extension", "lacks the acmeIdentifier extension" },
        { "two dNSNames", "exactly the dNSName" },
    };

    [Theory]
    [MemberData(nameof(WrongCertificates))]
    public async Task Tls_alpn01_answer_with_a_wrong_certificate_is_incorrect_response_and_issues_nothing(string wrong, string detail)
    {
        var client = await RegisteredAsync();
        var order = await OrderAsync(client, AlpnName, AcmeChallenge.TlsAlpn01);
        var digest = TlsAlpnResponder.Digest(order.KeyAuthorization);
        using var certificate = wrong switch
        {
            "wrong digest" => TlsAlpnResponder.Certificate([AlpnName], TlsAlpnResponder.Digest(order.KeyAuthorization + "x")),
            "extension not critical" => TlsAlpnResponder.Certificate([AlpnName], digest, critical: false),
            "no acmeIdentifier extension" => TlsAlpnResponder.Certificate([AlpnName], null),
            "two dNSNames" => TlsAlpnResponder.Certificate([AlpnName, "other.web.internal"], digest),
            _ => throw new ArgumentOutOfRangeException(nameof(wrong)),
        };

        // The responder owns (and disposes) its own copy.
        await using var responder = TlsAlpnResponder.Start(host.TlsAlpn01Port, X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null));
        var state = await StateAsync();
        await AssertRefusedAsync(client, order, "incorrectResponse", detail);
        Assert.True(responder.Handshakes > 0, "the validator never completed a handshake, so the certificate was not what it judged");
        Assert.Equal(state, await StateAsync());
    }

    [Fact]
    public async Task Tls_alpn01_target_without_acme_tls_1_is_a_tls_problem()
    {
        var client = await RegisteredAsync();
        var order = await OrderAsync(client, AlpnName, AcmeChallenge.TlsAlpn01);

        // A plain TLS server that knows no ALPN: the handshake succeeds but acme-tls/1 is not negotiated.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, host.TlsAlpn01Port);
        listener.Start();
        using var certificate = TlsAlpnResponder.Certificate([AlpnName], TlsAlpnResponder.Digest(order.KeyAuthorization));
        using var serverCertificate = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        using var stop = new CancellationTokenSource();
        var serve = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var connection = await listener.AcceptTcpClientAsync(stop.Token);
                await using var tls = new System.Net.Security.SslStream(connection.GetStream());
                try
                {
                    await tls.AuthenticateAsServerAsync(serverCertificate);
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
                {
                }
            }
        });
        try
        {
            await AssertRefusedAsync(client, order, "tls", "acme-tls/1");
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await Assert.ThrowsAnyAsync<Exception>(() => serve);
        }
    }

    [Fact]
    public async Task Dns01_txt_with_the_wrong_value_is_incorrect_response_and_issues_nothing()
    {
        const string name = "dns-wrong.web.internal";
        var client = await RegisteredAsync();
        var order = await OrderAsync(client, name, AcmeChallenge.Dns01);
        await host.Dns.SetTxtAsync(Dns01Validator.Label + name, Dns01Validator.ExpectedValue(order.KeyAuthorization + "x"));
        var state = await StateAsync();
        await AssertRefusedAsync(client, order, "incorrectResponse", "do not hold the key authorization's digest");
        Assert.Equal(state, await StateAsync());
    }

    [Fact]
    public async Task Dns01_without_a_txt_record_is_unauthorized_and_issues_nothing()
    {
        const string name = "dns-none.web.internal";
        var client = await RegisteredAsync();
        var order = await OrderAsync(client, name, AcmeChallenge.Dns01);
        var state = await StateAsync();
        await AssertRefusedAsync(client, order, "unauthorized", "No TXT record found at _acme-challenge." + name);
        Assert.Equal(state, await StateAsync());
    }

    [Theory]
    [InlineData(AcmeChallenge.TlsAlpn01)]
    [InlineData(AcmeChallenge.Http01)]
    public async Task Validation_target_outside_the_allowed_networks_is_rejected_identifier_and_nothing_connects(string type)
    {
        var client = await RegisteredAsync();
        var order = await OrderAsync(client, AcmeHostFixture.OutsideName, type);
        var state = await StateAsync();
        await AssertRefusedAsync(client, order, "rejectedIdentifier", "192.0.2.10");
        Assert.Equal(state, await StateAsync());
    }

    private async Task<AcmeTestClient> RegisteredAsync()
    {
        var (kid, hmac) = await host.CreateEabAsync();
        var client = await AcmeTestClient.Es256(_https, host.DirectoryUrl).LoadAsync();
        await client.RegisterAsync(kid, hmac);
        return client;
    }

    private sealed record PendingOrder(string OrderUrl, string Finalize, string AuthorizationUrl, string ChallengeUrl, string KeyAuthorization, string Name);

    /// <summary>Orders <paramref name="name"/> and picks the <paramref name="type"/> challenge of its authorization, which offers all three for a name.</summary>
    private static async Task<PendingOrder> OrderAsync(AcmeTestClient client, string name, string type)
    {
        using var order = await client.PostAsync(client.Url("newOrder"), new JsonObject
        {
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "dns", ["value"] = name }),
        });
        Assert.True(order.StatusCode == HttpStatusCode.Created, await order.Content.ReadAsStringAsync());
        var orderBody = await AcmeTestClient.JsonAsync(order);
        var authorizationUrl = orderBody["authorizations"]![0]!.GetValue<string>();
        using var authorization = await client.PostAsync(authorizationUrl, null);
        var challenges = (await AcmeTestClient.JsonAsync(authorization))["challenges"]!.AsArray();
        Assert.Equal(["http-01", "tls-alpn-01", "dns-01"], challenges.Select(c => c!["type"]!.GetValue<string>()));
        var challenge = challenges.Single(c => c!["type"]!.GetValue<string>() == type)!;
        var token = challenge["token"]!.GetValue<string>();
        return new PendingOrder(order.Headers.Location!.ToString(), orderBody["finalize"]!.GetValue<string>(), authorizationUrl,
            challenge["url"]!.GetValue<string>(), token + "." + client.Thumbprint(), name);
    }

    /// <summary>Responds to the challenge and polls the authorization until it is no longer pending: its status and the challenge then.</summary>
    private async Task<(string Authorization, JsonObject Challenge)> RespondAsync(AcmeTestClient client, PendingOrder order)
    {
        using (var respond = await client.PostAsync(order.ChallengeUrl, new JsonObject()))
        {
            Assert.True(respond.StatusCode == HttpStatusCode.OK, await respond.Content.ReadAsStringAsync());
        }

        for (var i = 0; i < 300; i++)
        {
            using var poll = await client.PostAsync(order.AuthorizationUrl, null);
            var body = await AcmeTestClient.JsonAsync(poll);
            var status = body["status"]!.GetValue<string>();
            if (status != "pending")
            {
                var url = order.ChallengeUrl;
                return (status, body["challenges"]!.AsArray().Single(c => c!["url"]!.GetValue<string>() == url)!.AsObject());
            }

            await Task.Delay(100);
        }

        Assert.Fail("The authorization stayed pending for 30 s.\n" + host.ErrorLog());
        throw new System.Diagnostics.UnreachableException();
    }

    /// <summary>The challenge ends invalid with <paramref name="type"/>, and so do its authorization and order; finalize is refused.</summary>
    private async Task AssertRefusedAsync(AcmeTestClient client, PendingOrder order, string type, string detail)
    {
        var (authorization, challenge) = await RespondAsync(client, order);
        Assert.Equal("invalid", authorization);
        Assert.Equal("invalid", challenge["status"]!.GetValue<string>());
        Assert.Equal(AcmeErrors.Prefix + type, challenge["error"]!["type"]!.GetValue<string>());
        Assert.Contains(detail, challenge["error"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        using var read = await client.PostAsync(order.OrderUrl, null);
        Assert.Equal("invalid", (await AcmeTestClient.JsonAsync(read))["status"]!.GetValue<string>());

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + order.Name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(order.Name);
        request.CertificateExtensions.Add(san.Build());
        using var finalize = await client.PostAsync(order.Finalize, new JsonObject { ["csr"] = AcmeTestClient.B64(request.CreateSigningRequest()) });
        Assert.Equal(HttpStatusCode.Forbidden, finalize.StatusCode);
        Assert.Equal(AcmeErrors.Prefix + AcmeErrors.OrderNotReady, (await AcmeTestClient.JsonAsync(finalize))["type"]!.GetValue<string>());
    }

    /// <summary>The rows issuance would write: certificates (the pipeline's and ACME's) and requests.</summary>
    private async Task<string> StateAsync() =>
        string.Join(",", await host.CountRowsAsync(TableNames.Certificates), await host.CountRowsAsync(AcmeTableNames.Certificates), await host.CountRowsAsync(TableNames.Requests));
}
