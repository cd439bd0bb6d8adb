using System.Net;
using System.Text;
using Pki.Core.Access;
using Pki.Functions;
using Pki.Functions.Acme;
using Pki.Local;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// Every HTTP function the Functions host would serve (the catalog a metadata test holds equal to the SDK's
/// functions.metadata) is tried without credentials, with a key nobody issued, and as a caller with no role:
/// a new endpoint that forgets its permission fails here, not in production.
/// </summary>
public sealed class AccessControlTests(DevHostFixture host) : IClassFixture<DevHostFixture>
{
    /// <summary>What relying parties and probes must reach without credentials; everything else is protected.</summary>
    private static readonly HashSet<string> Public = new(StringComparer.Ordinal)
    {
        nameof(Health), nameof(Authorities.GetAuthorityCertificate), nameof(Authorities.GetCrl), nameof(Authorities.ListAuthorities), "OcspPost", "OcspGet",

        // ACME: callers prove themselves with the JWS of each request (an account key, bound by EAB), not an API key;
        // tests/…/Acme/AcmeRefusalTests hold those checks. The directory, nonces and renewal info are public by RFC.
        nameof(AcmeDirectory), nameof(AcmeDirectory.AcmeNewNonce), nameof(AcmeAccounts.AcmeNewAccount), nameof(AcmeAccounts.AcmeAccount),
        nameof(AcmeAccounts.AcmeKeyChange), nameof(AcmeOrders.AcmeNewOrder), nameof(AcmeOrders.AcmeOrder), nameof(AcmeOrders.AcmeFinalize),
        nameof(AcmeAuthorizations.AcmeAuthorization), nameof(AcmeAuthorizations.AcmeChallenge), nameof(AcmeCertificates.AcmeCertificate),
        nameof(AcmeCertificates.AcmeCertificateWithRoot), nameof(AcmeCertificates.AcmeRevokeCert), nameof(AcmeRenewalInfo),
        // The dashboard's page and script (no data), and its sign-in, which is where a key is presented.
        nameof(Dashboard), nameof(DashboardSession.SignIn), nameof(OpenApi),
    };

    /// <summary>What any authenticated caller may do whatever its roles: ask who it is, sign out.</summary>
    private static readonly HashSet<string> AnyCaller = new(StringComparer.Ordinal)
    {
        nameof(DashboardSession.GetSession), nameof(DashboardSession.SignOut),
    };

    public static TheoryData<string, string, string> Routes()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var route in FunctionCatalog.Discover(typeof(FunctionsServiceCollectionExtensions).Assembly).HttpRoutes)
        {
            foreach (var method in route.Methods)
            {
                data.Add(route.Name, method.ToUpperInvariant(), "/api/" + Fill(route.Route));
            }
        }

        return data;
    }

    [Fact]
    public void The_public_list_names_only_functions_that_exist()
    {
        var names = FunctionCatalog.Discover(typeof(FunctionsServiceCollectionExtensions).Assembly).HttpRoutes.Select(r => r.Name).ToHashSet();
        Assert.Empty(Public.Except(names));
        Assert.Empty(AnyCaller.Except(names));
        Assert.True(names.Count > Public.Count + 5, "the catalog must list the protected functions too");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Protected_routes_refuse_anonymous_callers_unknown_keys_and_callers_without_the_permission(string function, string method, string path)
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var response = await anonymous.SendAsync(Request(method, path));
        if (Public.Contains(function))
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
            return;
        }

        Assert.Contains(response.Headers.WwwAuthenticate, c => c.Scheme == "ApiKey" && c.Parameter!.Contains("X-API-Key", StringComparison.Ordinal));
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "authentication-required");

        using var forged = new HttpClient { BaseAddress = host.BaseAddress };
        forged.DefaultRequestHeaders.Add(KeyAuthenticator.ApiKeyHeader, "pki_not-a-key-anyone-issued");
        await (await forged.SendAsync(Request(method, path))).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");

        using var nobody = TestCallers.NoRole.Client(host.BaseAddress);
        if (AnyCaller.Contains(function))
        {
            using var answered = await nobody.SendAsync(Request(method, path));
            Assert.True(answered.IsSuccessStatusCode, $"{method} {path} as a caller without roles: {(int)answered.StatusCode}");
            return;
        }

        var problem = await (await nobody.SendAsync(Request(method, path))).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-permission");
        Assert.Contains("lacks the permission", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task Credentials_of_schemes_not_configured_are_not_taken_for_a_caller(string authorization)
    {
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        await (await client.GetAsync("/api/inventory")).AssertProblemAsync(HttpStatusCode.Unauthorized, "authentication-required");
    }

    [Fact]
    public async Task A_requester_obtains_names_within_its_teams_grants_only_and_a_refusal_stores_nothing()
    {
        using var ssl = new Openssl();
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        var key = ssl.NewKey("k", "ec:P-256");

        var issued = await payments.IssueAsync(ssl.NewCsr(key, "/CN=api.payments.internal", "DNS:api.payments.internal"));
        Assert.Equal("payments", issued.GetProperty("team").GetString());

        var before = await host.CountStateAsync();
        var outside = await (await payments.RequestAsync(ssl.NewCsr(key, "/CN=shop.web.internal", "DNS:shop.web.internal"))).AssertProblemAsync(HttpStatusCode.Forbidden, "name-not-granted");
        Assert.Contains("*.payments.internal", outside.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // One name outside the grants spoils the request, even among granted ones; the suffix must match at a label boundary.
        await (await payments.RequestAsync(ssl.NewCsr(key, "/CN=a.payments.internal", "DNS:a.payments.internal,DNS:evilpayments.internal"))).AssertProblemAsync(HttpStatusCode.Forbidden, "name-not-granted");
        await (await payments.RequestAsync(ssl.NewCsr(key, "/CN=payments.internal", "DNS:payments.internal"))).AssertProblemAsync(HttpStatusCode.Forbidden, "name-not-granted");

        // Naming another team is for those who manage every team.
        await (await payments.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/certificates")
        {
            Content = WithTeam(ssl.NewCsr(key, "/CN=b.payments.internal", "DNS:b.payments.internal"), "web"),
        })).AssertProblemAsync(HttpStatusCode.Forbidden, "team-not-yours");
        Assert.Equal(before, await host.CountStateAsync());

        // An admin may issue anything the name policy allows, for any team.
        using var response = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/certificates")
        {
            Content = WithTeam(ssl.NewCsr(key, "/CN=c.web.internal", "DNS:c.web.internal"), "web"),
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("web", (await response.JsonAsync()).GetProperty("team").GetString());
    }

    [Fact]
    public async Task Another_teams_certificate_cannot_be_read_or_revoked_by_a_requester_and_an_auditor_reads_but_never_revokes()
    {
        using var ssl = new Openssl();
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        using var web = TestCallers.WebRequester.Client(host.BaseAddress);
        using var auditor = TestCallers.Auditor.Client(host.BaseAddress);
        var issued = await payments.IssueAsync(ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=pay.payments.internal", "DNS:pay.payments.internal"));
        var serial = issued.GetProperty("serialNumber").GetString()!;
        var fingerprint = Fingerprint(ssl, issued.GetProperty("certificatePem").GetString()!);

        await (await web.GetAsync("/api/certificates/" + serial)).AssertProblemAsync(HttpStatusCode.NotFound, "unknown-certificate");
        await (await web.PostAsync($"/api/certificates/{serial}/revoke", Json("{}"))).AssertProblemAsync(HttpStatusCode.NotFound, "unknown-certificate");
        await (await web.GetAsync("/api/inventory/" + fingerprint)).AssertProblemAsync(HttpStatusCode.NotFound, "unknown-certificate");
        await (await web.GetAsync("/api/inventory?team=payments")).AssertProblemAsync(HttpStatusCode.Forbidden, "not-your-team");
        using (var listed = await web.GetAsync("/api/inventory?pageSize=200"))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            Assert.All((await listed.JsonAsync()).GetProperty("items").EnumerateArray(), i => Assert.Equal("web", i.GetProperty("team").GetString()));
        }

        using (var read = await auditor.GetAsync("/api/certificates/" + serial))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var read = await auditor.GetAsync("/api/inventory/" + fingerprint))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal("payments", (await read.JsonAsync()).GetProperty("team").GetString());
        }

        await (await auditor.PostAsync($"/api/certificates/{serial}/revoke", Json("{}"))).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-permission");
        await (await auditor.RequestAsync(ssl.NewCsr(ssl.NewKey("k2", "ec:P-256"), "/CN=x.internal", "DNS:x.internal"))).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-permission");

        // Still valid after all those refusals; its own team revokes it.
        using (var status = await payments.GetAsync("/api/certificates/" + serial))
        {
            Assert.Equal("issued", (await status.JsonAsync()).GetProperty("status").GetString());
        }

        using var revoked = await payments.PostAsync($"/api/certificates/{serial}/revoke", Json("""{"reason":"keyCompromise"}"""));
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
    }

    private static string Fingerprint(Openssl ssl, string pem)
    {
        var output = Openssl.Run("x509", "-in", ssl.Write("fp.pem", pem), "-noout", "-fingerprint", "-sha256").EnsureSuccess().Stdout;
        return output.Split('=', 2)[1].Trim();
    }

    private static StringContent WithTeam(string csr, string team) =>
        Json(new System.Text.Json.Nodes.JsonObject { ["csr"] = csr, ["profile"] = "tls-server", ["owner"] = "bob@corp.internal", ["team"] = team }.ToJsonString());

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method is "POST" or "PUT" ? Json("{}") : null,
    };

    /// <summary>A route template with a plausible value in each parameter (optional ones left out).</summary>
    private static string Fill(string template) => System.Text.RegularExpressions.Regex.Replace(template, @"/?\{(\*?)(\w+)(\?)?\}", m => m.Groups[3].Success
        ? string.Empty
        : "/" + (m.Groups[2].Value switch
        {
            "serialNumber" => "0123456789abcdef",
            "fingerprint" => new string('a', 64),
            _ => "x",
        })).TrimStart('/');
}
