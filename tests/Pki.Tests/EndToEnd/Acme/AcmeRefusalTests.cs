using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// The JWS-level refusal corpus over HTTPS: each malformed, replayed or unauthorized request answers its RFC 8555
/// problem (with a fresh Replay-Nonce) and stores nothing: no account, credential use, order, authorization or certificate.
/// </summary>
public sealed class AcmeRefusalTests(AcmeHostFixture host) : IClassFixture<AcmeHostFixture>, IDisposable
{
    private readonly HttpClient _https = host.AcmeClient();

    public void Dispose() => _https.Dispose();

    [Fact]
    public async Task Replayed_nonce_is_bad_nonce_with_a_fresh_nonce_and_the_fresh_one_works()
    {
        var client = await RegisteredAsync();
        var header = await client.HeaderAsync(client.Kid!);
        var body = client.Sign(header, null);
        using (var first = await client.PostRawAsync(client.Kid!, body))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var state = await StateAsync();
        using var replay = await client.PostRawAsync(client.Kid!, body);
        var fresh = await AssertProblemAsync(replay, HttpStatusCode.BadRequest, "badNonce");
        Assert.NotEqual(header["nonce"]!.GetValue<string>(), fresh);
        Assert.Equal(state, await StateAsync());

        // The nonce the refusal carried is good for the retry, as RFC 8555 §6.5 has clients do.
        header["nonce"] = fresh;
        using var retry = await client.PostRawAsync(client.Kid!, client.Sign(header, null));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    [Fact]
    public async Task Nonce_from_one_host_works_once_on_another_and_its_replay_is_refused_on_both()
    {
        var client = await RegisteredAsync();
        var second = await DevHostFixture.StartAsync(host.TablePrefix, host.RootId, host.IssuingId, ["--urls=https://127.0.0.1:0", .. host.AcmeArgs], configureServices: null);
        try
        {
            var secondBase = new Uri(second.Urls.Single());
            using var secondHttps = host.AcmeClient();
            secondHttps.BaseAddress = secondBase;

            // Issued by the first host, used at the second: the same account URL, only the origin differs.
            var header = await client.HeaderAsync(client.Kid!);
            var kidOnSecond = new Uri(secondBase, new Uri(client.Kid!).AbsolutePath).ToString();
            header["url"] = kidOnSecond;
            header["kid"] = kidOnSecond;
            var body = client.Sign(header, null);
            var onSecond = new AcmeTestClient(secondHttps, new Uri(secondBase, "/api/acme/directory").ToString(), client.Key);
            using (var used = await onSecond.PostRawAsync(kidOnSecond, body))
            {
                Assert.Equal(HttpStatusCode.OK, used.StatusCode);
            }

            using (var replayedThere = await onSecond.PostRawAsync(kidOnSecond, body))
            {
                await AssertProblemAsync(replayedThere, HttpStatusCode.BadRequest, "badNonce");
            }

            header["url"] = client.Kid;
            header["kid"] = client.Kid;
            using var replayedHere = await client.PostRawAsync(client.Kid!, client.Sign(header, null));
            await AssertProblemAsync(replayedHere, HttpStatusCode.BadRequest, "badNonce");
        }
        finally
        {
            await second.StopAsync();
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task Unknown_and_missing_nonces_are_bad_nonce()
    {
        var client = await RegisteredAsync();
        var state = await StateAsync();
        var header = await client.HeaderAsync(client.Kid!);
        header["nonce"] = AcmeTestClient.B64(RandomNumberGenerator.GetBytes(20));
        using var unknown = await client.PostRawAsync(client.Kid!, client.Sign(header, null));
        await AssertProblemAsync(unknown, HttpStatusCode.BadRequest, "badNonce");
        header.Remove("nonce");
        using var missing = await client.PostRawAsync(client.Kid!, client.Sign(header, null));
        await AssertProblemAsync(missing, HttpStatusCode.BadRequest, "badNonce");
        Assert.Equal(state, await StateAsync());
    }

    [Fact]
    public async Task Url_header_for_another_endpoint_is_unauthorized()
    {
        var client = await RegisteredAsync();
        var state = await StateAsync();

        // Signed for newOrder, sent to the account URL: a captured request cannot be replayed at another endpoint.
        var header = await client.HeaderAsync(client.Url("newOrder"));
        using var response = await client.PostRawAsync(client.Kid!, client.Sign(header, null));
        var problem = await AssertProblemAsync(response, HttpStatusCode.Forbidden, "unauthorized");
        Assert.Equal(state, await StateAsync());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("RS384")]
    public async Task Algorithms_other_than_rs256_es256_es384_are_bad_signature_algorithm(string alg)
    {
        var client = await RegisteredAsync();
        var state = await StateAsync();
        var header = await client.HeaderAsync(client.Kid!);
        header["alg"] = alg;
        var protectedText = AcmeTestClient.B64(Encoding.UTF8.GetBytes(header.ToJsonString()));
        var signature = alg == "HS256"
            ? AcmeTestClient.B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes("a guessed secret"), Encoding.ASCII.GetBytes(protectedText + ".")))
            : alg == "none" ? string.Empty : AcmeTestClient.B64(RandomNumberGenerator.GetBytes(256));
        var body = new JsonObject { ["protected"] = protectedText, ["payload"] = string.Empty, ["signature"] = signature }.ToJsonString();
        using var response = await client.PostRawAsync(client.Kid!, body);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "badSignatureAlgorithm");
        Assert.Equal(state, await StateAsync());
    }

    [Fact]
    public async Task Unprotected_header_two_signatures_and_jwk_with_kid_are_malformed()
    {
        var client = await RegisteredAsync();
        var state = await StateAsync();
        var signed = JsonNode.Parse(client.Sign(await client.HeaderAsync(client.Kid!), null))!.AsObject();
        signed["header"] = new JsonObject { ["kid"] = client.Kid };
        using var unprotected = await client.PostRawAsync(client.Kid!, signed.ToJsonString());
        await AssertProblemAsync(unprotected, HttpStatusCode.BadRequest, "malformed");

        var general = JsonNode.Parse(client.Sign(await client.HeaderAsync(client.Kid!), null))!.AsObject();
        var twice = new JsonObject
        {
            ["payload"] = general["payload"]!.GetValue<string>(),
            ["signatures"] = new JsonArray(
                new JsonObject { ["protected"] = general["protected"]!.GetValue<string>(), ["signature"] = general["signature"]!.GetValue<string>() },
                new JsonObject { ["protected"] = general["protected"]!.GetValue<string>(), ["signature"] = general["signature"]!.GetValue<string>() }),
        };
        using var two = await client.PostRawAsync(client.Kid!, twice.ToJsonString());
        await AssertProblemAsync(two, HttpStatusCode.BadRequest, "malformed");

        var both = await client.HeaderAsync(client.Kid!);
        both["jwk"] = client.Jwk();
        using var jwkAndKid = await client.PostRawAsync(client.Kid!, client.Sign(both, null));
        await AssertProblemAsync(jwkAndKid, HttpStatusCode.BadRequest, "malformed");
        Assert.Equal(state, await StateAsync());
    }

    [Fact]
    public async Task Kid_of_another_account_does_not_verify()
    {
        var victim = await RegisteredAsync();
        var attacker = await RegisteredAsync();
        var state = await StateAsync();

        // The attacker signs with its own key but names the victim's account.
        var header = await attacker.HeaderAsync(victim.Kid!);
        header["kid"] = victim.Kid;
        using var response = await attacker.PostRawAsync(victim.Kid!, attacker.Sign(header, new JsonObject { ["contact"] = new JsonArray("mailto:attacker@evil.example") }));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed");
        Assert.Equal(state, await StateAsync());

        using var read = await victim.PostAsync(victim.Kid!, null);
        Assert.Equal("mailto:ops@web.internal", (await AcmeTestClient.JsonAsync(read))["contact"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task New_account_without_eab_with_a_bad_mac_or_with_a_spent_credential_is_refused()
    {
        var (kid, hmac) = await host.CreateEabAsync();
        var client = await AcmeTestClient.Es256(_https, host.DirectoryUrl).LoadAsync();
        var state = await StateAsync();

        using (var none = await client.PostAsync(client.Url("newAccount"), new JsonObject { ["termsOfServiceAgreed"] = true }, useJwk: true))
        {
            await AssertProblemAsync(none, HttpStatusCode.BadRequest, "externalAccountRequired");
        }

        var wrongKey = AcmeTestClient.B64(RandomNumberGenerator.GetBytes(32));
        using (var bad = await client.PostAsync(client.Url("newAccount"), new JsonObject { ["externalAccountBinding"] = client.Eab(kid, wrongKey) }, useJwk: true))
        {
            await AssertProblemAsync(bad, HttpStatusCode.Forbidden, "unauthorized");
        }

        using (var unknown = await client.PostAsync(client.Url("newAccount"), new JsonObject { ["externalAccountBinding"] = client.Eab("eab_000000000000000000000000", hmac) }, useJwk: true))
        {
            await AssertProblemAsync(unknown, HttpStatusCode.Forbidden, "unauthorized");
        }

        // An EAB made for another key (the binding's payload is not this account key).
        var other = AcmeTestClient.Es256(_https, host.DirectoryUrl);
        await other.LoadAsync();
        using (var foreign = await client.PostAsync(client.Url("newAccount"), new JsonObject { ["externalAccountBinding"] = other.Eab(kid, hmac) }, useJwk: true))
        {
            await AssertProblemAsync(foreign, HttpStatusCode.Forbidden, "unauthorized");
        }

        Assert.Equal(state, await StateAsync());

        // Used once, the credential binds that account; a second key cannot use it.
        await client.RegisterAsync(kid, hmac);
        var afterFirst = await StateAsync();
        using var reuse = await other.PostAsync(other.Url("newAccount"), new JsonObject { ["externalAccountBinding"] = other.Eab(kid, hmac) }, useJwk: true);
        var detail = await AssertProblemAsync(reuse, HttpStatusCode.Forbidden, "unauthorized");
        Assert.Equal(afterFirst, await StateAsync());
    }

    [Fact]
    public async Task Identifier_outside_the_teams_grants_is_rejected_naming_the_grants()
    {
        var client = await RegisteredAsync();
        var state = await StateAsync();
        using var response = await client.PostAsync(client.Url("newOrder"), new JsonObject
        {
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "dns", ["value"] = "api.payments.internal" }),
        });
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "rejectedIdentifier");
        var body = await AcmeTestClient.JsonAsync(response);
        Assert.Contains("*.web.internal", body["detail"]!.GetValue<string>());
        Assert.Equal(state, await StateAsync());
    }

    [Fact]
    public async Task Csr_whose_names_differ_from_the_order_is_bad_csr_and_nothing_is_issued()
    {
        var client = await RegisteredAsync();
        const string name = "corpus.web.internal";
        using var order = await client.PostAsync(client.Url("newOrder"), new JsonObject
        {
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "dns", ["value"] = name }),
        });
        Assert.Equal(HttpStatusCode.Created, order.StatusCode);
        var orderUrl = order.Headers.Location!.ToString();
        var orderBody = await AcmeTestClient.JsonAsync(order);
        await client.ValidateAsync(orderBody["authorizations"]![0]!.GetValue<string>(), host.Http01Port);

        using var ssl = new Openssl();
        var csrPem = (ssl.NewCsr(ssl.NewKey("k.pem", "ec:P-256"), "/CN=" + name, $"DNS:{name},DNS:other.web.internal"));
        var der = Convert.FromBase64String(string.Concat(csrPem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        var state = await StateAsync();
        using var finalize = await client.PostAsync(orderBody["finalize"]!.GetValue<string>(), new JsonObject { ["csr"] = AcmeTestClient.B64(der) });
        await AssertProblemAsync(finalize, HttpStatusCode.BadRequest, "badCSR");
        Assert.Equal(state, await StateAsync());

        // The order is still ready: a CSR with the right names is issued.
        using var read = await client.PostAsync(orderUrl, null);
        Assert.Equal("ready", (await AcmeTestClient.JsonAsync(read))["status"]!.GetValue<string>());
    }

    private async Task<AcmeTestClient> RegisteredAsync()
    {
        var (kid, hmac) = await host.CreateEabAsync();
        var client = await AcmeTestClient.Es256(_https, host.DirectoryUrl).LoadAsync();
        await client.RegisterAsync(kid, hmac);
        return client;
    }

    /// <summary>Asserts an RFC 8555 problem of <paramref name="type"/> with a fresh Replay-Nonce; returns that nonce.</summary>
    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {type}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!;
        Assert.Equal("urn:ietf:params:acme:error:" + type, body["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(body["detail"]!.GetValue<string>()));
        var nonce = response.Headers.GetValues("Replay-Nonce").Single();
        Assert.Matches("^[A-Za-z0-9_-]{20,}$", nonce);
        return nonce;
    }

    /// <summary>Rows of everything a refused request must not write (nonces excepted: each answer carries a new one).</summary>
    private async Task<string> StateAsync()
    {
        var counts = new List<int>();
        foreach (var table in new[] { AcmeTableNames.Accounts, AcmeTableNames.Eab, AcmeTableNames.Orders, AcmeTableNames.Authorizations, AcmeTableNames.Certificates, TableNames.Certificates, TableNames.Requests })
        {
            counts.Add(await host.CountRowsAsync(table));
        }

        var eab = await host.Client.GetStringAsync("/api/acme/eab?team=web");
        return string.Join(",", counts) + " " + eab;
    }
}
