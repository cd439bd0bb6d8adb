using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// keyChange (RFC 8555 §7.3.5) over HTTPS: a rollover that works (the old key stops, the new one answers for the
/// account, the trail records it) and one refusal per check of the inner JWS, each leaving the account's key as it was.
/// </summary>
public sealed class AcmeKeyChangeTests(AcmeHostFixture host) : IClassFixture<AcmeHostFixture>, IDisposable
{
    private readonly HttpClient _https = host.AcmeClient();

    public void Dispose() => _https.Dispose();

    [Fact]
    public async Task Key_change_moves_the_account_to_the_new_key_and_is_audited()
    {
        var client = await RegisteredAsync();
        var accountUrl = client.Kid!;
        var newKey = await new AcmeTestClient(_https, host.DirectoryUrl, RSA.Create(2048)).LoadAsync();
        using (var change = await PostKeyChangeAsync(client, newKey, _ => { }))
        {
            var text = await change.Content.ReadAsStringAsync();
            Assert.True(change.StatusCode == HttpStatusCode.OK, text);
            Assert.Equal(accountUrl, change.Headers.Location!.ToString());
        }

        // The old key no longer signs for the account; the new one does, and finds it by key.
        using (var old = await client.PostAsync(accountUrl, null))
        {
            await AssertProblemAsync(old, HttpStatusCode.BadRequest, "malformed");
        }

        newKey.Kid = accountUrl;
        using (var read = await newKey.PostAsync(accountUrl, null))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var found = await newKey.PostAsync(newKey.Url("newAccount"), new JsonObject { ["onlyReturnExisting"] = true }, useJwk: true))
        {
            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
            Assert.Equal(accountUrl, found.Headers.Location!.ToString());
        }

        client.Kid = null;
        using (var gone = await client.PostAsync(client.Url("newAccount"), new JsonObject { ["onlyReturnExisting"] = true }, useJwk: true))
        {
            await AssertProblemAsync(gone, HttpStatusCode.BadRequest, "accountDoesNotExist");
        }

        using var audit = await host.Client.GetAsync("/api/audit?limit=1000");
        var records = (await AcmeTestClient.JsonAsync(audit))["records"]!.AsArray();
        var accountId = accountUrl[(accountUrl.LastIndexOf('/') + 1)..];
        Assert.Single(records, r => r!["action"]!.GetValue<string>() == "acme-account-key-change" && r["targetId"]?.GetValue<string>() == accountId);
    }

    [Fact]
    public async Task New_key_of_another_account_is_409_with_that_accounts_location()
    {
        var client = await RegisteredAsync();
        var other = await RegisteredAsync();
        using var change = await PostKeyChangeAsync(client, other, _ => { });
        await AssertProblemAsync(change, HttpStatusCode.Conflict, "malformed");
        Assert.Equal(other.Kid, change.Headers.Location!.ToString());
        await AssertKeyUnchangedAsync(client);
        await AssertKeyUnchangedAsync(other);
    }

    public static TheoryData<string> InnerFaults() =>
    [
        "signed-by-another-key", "kid-instead-of-jwk", "with-nonce", "url-of-another-endpoint", "account-of-another",
        "old-key-not-current", "no-old-key", "same-key", "hmac-inner", "not-a-jws",
    ];

    [Theory]
    [MemberData(nameof(InnerFaults))]
    public async Task Inner_jws_that_fails_a_check_is_refused_and_changes_nothing(string fault)
    {
        var client = await RegisteredAsync();
        var other = await RegisteredAsync();
        var newKey = await AcmeTestClient.Es256(_https, host.DirectoryUrl).LoadAsync();
        var signer = fault switch
        {
            "same-key" => client,
            _ => newKey,
        };
        var (status, type) = fault switch
        {
            "url-of-another-endpoint" or "account-of-another" or "old-key-not-current" => (HttpStatusCode.Forbidden, "unauthorized"),
            "hmac-inner" => (HttpStatusCode.BadRequest, "badSignatureAlgorithm"),
            _ => (HttpStatusCode.BadRequest, "malformed"),
        };
        using var response = await PostKeyChangeAsync(client, signer, inner =>
        {
            switch (fault)
            {
                case "signed-by-another-key":
                    inner.Header["jwk"] = other.Jwk();
                    break;
                case "kid-instead-of-jwk":
                    inner.Header.Remove("jwk");
                    inner.Header["kid"] = client.Kid;
                    break;
                case "with-nonce":
                    inner.Header["nonce"] = "AAAAAAAAAAAAAAAAAAAAAA";
                    break;
                case "url-of-another-endpoint":
                    inner.Header["url"] = client.Url("newOrder");
                    break;
                case "account-of-another":
                    inner.Payload["account"] = other.Kid;
                    break;
                case "old-key-not-current":
                    inner.Payload["oldKey"] = other.Jwk();
                    break;
                case "no-old-key":
                    inner.Payload.Remove("oldKey");
                    break;
                case "hmac-inner":
                    inner.Header["alg"] = "HS256";
                    break;
                case "not-a-jws":
                    inner.Raw = "\"just a string\"";
                    break;
            }
        });
        await AssertProblemAsync(response, status, type);
        await AssertKeyUnchangedAsync(client);
        if (fault != "same-key")
        {
            // The new key stays free: it can register an account of its own.
            using var free = await newKey.PostAsync(newKey.Url("newAccount"), new JsonObject { ["onlyReturnExisting"] = true }, useJwk: true);
            await AssertProblemAsync(free, HttpStatusCode.BadRequest, "accountDoesNotExist");
        }
    }

    /// <summary>The parts of a keyChange inner JWS a test may alter before it is signed.</summary>
    private sealed class Inner
    {
        public required JsonObject Header { get; init; }

        public required JsonObject Payload { get; init; }

        /// <summary>When set, sent as the outer payload instead of the signed inner JWS.</summary>
        public string? Raw { get; set; }
    }

    /// <summary>Posts keyChange for <paramref name="account"/> (signed outside by its key) to <paramref name="newKey"/>'s key.</summary>
    private static async Task<HttpResponseMessage> PostKeyChangeAsync(AcmeTestClient account, AcmeTestClient newKey, Action<Inner> alter)
    {
        var url = account.Url("keyChange");
        var inner = new Inner
        {
            Header = new JsonObject { ["alg"] = newKey.Alg, ["jwk"] = newKey.Jwk(), ["url"] = url },
            Payload = new JsonObject { ["account"] = account.Kid, ["oldKey"] = account.Jwk() },
        };
        alter(inner);
        var innerJws = inner.Raw ?? newKey.Sign(inner.Header, inner.Payload);
        var outerHeader = await account.HeaderAsync(url);
        var protectedText = AcmeTestClient.B64(Encoding.UTF8.GetBytes(outerHeader.ToJsonString()));
        var payloadText = AcmeTestClient.B64(Encoding.UTF8.GetBytes(innerJws));
        var input = Encoding.ASCII.GetBytes(protectedText + "." + payloadText);
        var signature = account.Key is ECDsa ec ? ec.SignData(input, HashAlgorithmName.SHA256) : ((RSA)account.Key).SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var body = new JsonObject { ["protected"] = protectedText, ["payload"] = payloadText, ["signature"] = AcmeTestClient.B64(signature) }.ToJsonString();
        return await account.PostRawAsync(url, body);
    }

    /// <summary>The account still answers to its own key, and that key still finds it.</summary>
    private static async Task AssertKeyUnchangedAsync(AcmeTestClient client)
    {
        using (var read = await client.PostAsync(client.Kid!, null))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using var found = await client.PostAsync(client.Url("newAccount"), new JsonObject { ["onlyReturnExisting"] = true }, useJwk: true);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(client.Kid, found.Headers.Location!.ToString());
    }

    private async Task<AcmeTestClient> RegisteredAsync()
    {
        var (kid, hmac) = await host.CreateEabAsync();
        var client = await AcmeTestClient.Es256(_https, host.DirectoryUrl).LoadAsync();
        await client.RegisterAsync(kid, hmac);
        return client;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {type}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:ietf:params:acme:error:" + type, JsonNode.Parse(text)!["type"]!.GetValue<string>());
        Assert.Single(response.Headers.GetValues("Replay-Nonce"));
    }
}
