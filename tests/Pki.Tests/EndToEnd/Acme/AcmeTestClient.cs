using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// A minimal ACME client for the refusal corpus: it signs requests (ES256 or RS256) the way RFC 8555 asks, and lets a
/// test change any part of them (header members, algorithm, signature) to see what the server refuses. Real clients
/// (certbot, lego, acme-client) prove the happy path; this one proves the refusals.
/// </summary>
public sealed class AcmeTestClient(HttpClient http, string directoryUrl, AsymmetricAlgorithm key)
{
    public AsymmetricAlgorithm Key { get; } = key;

    public string? Kid { get; set; }

    /// <summary>The certificate URL of the last order <see cref="ObtainAsync"/> completed.</summary>
    public string? LastCertificateUrl { get; private set; }

    public JsonObject Directory { get; private set; } = [];

    public string Url(string name) => Directory[name]!.GetValue<string>();

    public static AcmeTestClient Es256(HttpClient http, string directoryUrl) => new(http, directoryUrl, ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public async Task<AcmeTestClient> LoadAsync()
    {
        Directory = JsonNode.Parse(await http.GetStringAsync(directoryUrl))!.AsObject();
        return this;
    }

    public async Task<string> NonceAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, Url("newNonce"));
        using var response = await http.SendAsync(request);
        return response.Headers.GetValues("Replay-Nonce").Single();
    }

    public string Alg => Key is ECDsa ? "ES256" : "RS256";

    public JsonObject Jwk()
    {
        if (Key is ECDsa ec)
        {
            var p = ec.ExportParameters(false);
            return new JsonObject { ["crv"] = "P-256", ["kty"] = "EC", ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!) };
        }

        var r = ((RSA)Key).ExportParameters(false);
        return new JsonObject { ["e"] = B64(r.Exponent!), ["kty"] = "RSA", ["n"] = B64(r.Modulus!) };
    }

    public string Thumbprint() => B64(SHA256.HashData(Encoding.UTF8.GetBytes(Jwk().ToJsonString())));

    /// <summary>The protected header this client would send: alg, nonce, url, and kid (or jwk before it has an account).</summary>
    public async Task<JsonObject> HeaderAsync(string url, bool useJwk = false) => useJwk || Kid is null
        ? new JsonObject { ["alg"] = Alg, ["nonce"] = await NonceAsync(), ["url"] = url, ["jwk"] = Jwk() }
        : new JsonObject { ["alg"] = Alg, ["nonce"] = await NonceAsync(), ["url"] = url, ["kid"] = Kid };

    /// <summary>A flattened JWS of <paramref name="payload"/> (null: POST-as-GET) under <paramref name="header"/>, signed with this key.</summary>
    public string Sign(JsonObject header, JsonNode? payload)
    {
        var protectedText = B64(Encoding.UTF8.GetBytes(header.ToJsonString()));
        var payloadText = payload is null ? string.Empty : B64(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var input = Encoding.ASCII.GetBytes(protectedText + "." + payloadText);
        var signature = Key is ECDsa ec
            ? ec.SignData(input, HashAlgorithmName.SHA256)
            : ((RSA)Key).SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return new JsonObject { ["protected"] = protectedText, ["payload"] = payloadText, ["signature"] = B64(signature) }.ToJsonString();
    }

    public async Task<HttpResponseMessage> PostRawAsync(string url, string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/jose+json");
        return await http.PostAsync(url, content);
    }

    public async Task<HttpResponseMessage> PostAsync(string url, JsonNode? payload, bool useJwk = false) =>
        await PostRawAsync(url, Sign(await HeaderAsync(url, useJwk), payload));

    /// <summary>An externalAccountBinding for this key, MACed with <paramref name="hmacKey"/> under <paramref name="kid"/>.</summary>
    public JsonObject Eab(string kid, string hmacKey)
    {
        var header = B64(Encoding.UTF8.GetBytes(new JsonObject { ["alg"] = "HS256", ["kid"] = kid, ["url"] = Url("newAccount") }.ToJsonString()));
        var payload = B64(Encoding.UTF8.GetBytes(Jwk().ToJsonString()));
        var mac = HMACSHA256.HashData(System.Buffers.Text.Base64Url.DecodeFromChars(hmacKey), Encoding.ASCII.GetBytes(header + "." + payload));
        return new JsonObject { ["protected"] = header, ["payload"] = payload, ["signature"] = B64(mac) };
    }

    /// <summary>Registers with EAB and keeps the account URL as <see cref="Kid"/>.</summary>
    public async Task RegisterAsync(string eabKid, string hmacKey)
    {
        using var response = await PostAsync(Url("newAccount"), new JsonObject
        {
            ["termsOfServiceAgreed"] = true,
            ["contact"] = new JsonArray("mailto:ops@web.internal"),
            ["externalAccountBinding"] = Eab(eabKid, hmacKey),
        }, useJwk: true);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Kid = response.Headers.Location!.ToString();
    }

    /// <summary>Serves the http-01 answer on <paramref name="port"/>, responds to the challenge, and waits until the authorization is valid.</summary>
    public async Task ValidateAsync(string authorizationUrl, int port, string listenHost = "127.0.0.1")
    {
        using var authz = await PostAsync(authorizationUrl, null);
        var challenge = (await JsonAsync(authz))["challenges"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "http-01")!;
        var token = challenge["token"]!.GetValue<string>();
        await using var server = await Http01ServerAsync(port, token, token + "." + Thumbprint(), listenHost);
        using (var respond = await PostAsync(challenge["url"]!.GetValue<string>(), new JsonObject()))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, respond.StatusCode);
            Assert.Contains(respond.Headers.GetValues("Link"), l => l.Contains("rel=\"up\"", StringComparison.Ordinal));
        }

        for (var i = 0; i < 100; i++)
        {
            using var poll = await PostAsync(authorizationUrl, null);
            var status = (await JsonAsync(poll))["status"]!.GetValue<string>();
            if (status == "valid")
            {
                return;
            }

            Assert.Equal("pending", status);
            await Task.Delay(100);
        }

        Assert.Fail("The authorization did not become valid in 10 s.");
    }

    /// <summary>Orders <paramref name="name"/> (replacing <paramref name="replaces"/>, a certID, if given), validates, finalizes with a new key, and returns the PEM chain.</summary>
    public async Task<string> ObtainAsync(string name, int port, string? replaces = null)
    {
        var isIp = System.Net.IPAddress.TryParse(name, out var ip);
        var payload = new JsonObject { ["identifiers"] = new JsonArray(new JsonObject { ["type"] = isIp ? "ip" : "dns", ["value"] = name }) };
        if (replaces is not null)
        {
            payload["replaces"] = replaces;
        }

        using var order = await PostAsync(Url("newOrder"), payload);
        Assert.True(order.StatusCode == System.Net.HttpStatusCode.Created, await order.Content.ReadAsStringAsync());
        var orderBody = await JsonAsync(order);
        await ValidateAsync(orderBody["authorizations"]![0]!.GetValue<string>(), port, isIp ? name : "127.0.0.1");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        if (isIp)
        {
            san.AddIpAddress(ip!);
        }
        else
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        using var finalize = await PostAsync(orderBody["finalize"]!.GetValue<string>(), new JsonObject { ["csr"] = B64(request.CreateSigningRequest()) });
        var finalized = await JsonAsync(finalize);
        Assert.True(finalize.StatusCode == System.Net.HttpStatusCode.OK, finalized.ToJsonString());
        Assert.Equal("valid", finalized["status"]!.GetValue<string>());
        LastCertificateUrl = finalized["certificate"]!.GetValue<string>();
        using var certificate = await PostAsync(LastCertificateUrl, null);
        Assert.Equal("application/pem-certificate-chain", certificate.Content.Headers.ContentType?.MediaType);
        return await certificate.Content.ReadAsStringAsync();
    }

    /// <summary>Serves one http-01 answer on <paramref name="port"/> of <paramref name="listenHost"/> until disposed.</summary>
    public static async Task<Microsoft.AspNetCore.Builder.WebApplication> Http01ServerAsync(int port, string token, string keyAuthorization, string listenHost = "127.0.0.1")
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{(listenHost.Contains(':', StringComparison.Ordinal) ? "[" + listenHost + "]" : listenHost)}:{port}");
        var app = builder.Build();
        app.MapGet("/.well-known/acme-challenge/" + token, () => Results.Text(keyAuthorization));
        await app.StartAsync();
        return app;
    }

    public static string B64(byte[] data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
}
