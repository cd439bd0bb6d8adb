using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>A dev host that accepts tokens of a stand-in Entra tenant, through the same authorization as API keys.</summary>
public sealed class EntraHostFixture : DevHostFixture
{
    public const string PaymentsGroup = "3f6d1c8e-0000-4000-8000-00000000a001";

    public EntraTenantDouble Tenant { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Tenant = await EntraTenantDouble.StartAsync();
        await StartHostAsync(Tenant.HostArgs(PaymentsGroup, "payments"), configureServices: null);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Tenant.DisposeAsync();
    }
}

public sealed class EntraAuthenticationTests(EntraHostFixture host) : IClassFixture<EntraHostFixture>
{
    [Fact]
    public async Task A_valid_token_acts_as_its_app_roles_and_group_team()
    {
        using var ssl = new Openssl();
        using var client = Client(host.Tenant.Token(["requester"], [EntraHostFixture.PaymentsGroup]));
        var issued = await client.IssueAsync(ssl.NewCsr(ssl.NewKey("k", "ec:P-256"), "/CN=entra.payments.internal", "DNS:entra.payments.internal"));
        Assert.Equal("payments", issued.GetProperty("team").GetString());

        await (await client.RequestAsync(ssl.NewCsr(ssl.NewKey("k2", "ec:P-256"), "/CN=entra.web.internal", "DNS:entra.web.internal"))).AssertProblemAsync(HttpStatusCode.Forbidden, "name-not-granted");
        await (await client.GetAsync("/api/discovery/targets")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-permission");
    }

    [Fact]
    public async Task A_token_without_app_roles_is_authenticated_but_may_do_nothing()
    {
        using var client = Client(host.Tenant.Token([], [EntraHostFixture.PaymentsGroup]));
        var problem = await (await client.GetAsync("/api/inventory")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-permission");
        Assert.Contains("ReadInventory", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadTokens() => new()
    {
        { "expired", "lifetime" },
        { "audience", "audience" },
        { "issuer", "issuer" },
        { "unpublished-key", "signature" },
        { "unsigned", "signature" },
        { "garbage", "malformed" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_token_that_fails_validation_is_refused_with_the_reason(string fault, string reason)
    {
        var tenant = host.Tenant;
        var token = fault switch
        {
            "expired" => tenant.Token(["admin"], expires: DateTime.UtcNow.AddMinutes(-10)),
            "audience" => tenant.Token(["admin"], audience: "api://some-other-api"),
            "issuer" => tenant.Token(["admin"], issuer: $"https://login.microsoftonline.com/{Guid.NewGuid()}/v2.0"),
            "unpublished-key" => tenant.Token(["admin"], unpublishedKey: true),
            "unsigned" => "eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJhZG1pbiJdfQ.",
            _ => "not-a-token-at-all",
        };
        using var client = Client(token);
        var problem = await (await client.GetAsync("/api/inventory")).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_service_principal_header_is_ignored_where_app_service_authentication_is_not_trusted()
    {
        var principal = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            """{"auth_typ":"aad","claims":[{"typ":"oid","val":"forged"},{"typ":"roles","val":"admin"}],"name_typ":"name","role_typ":"roles"}"""));
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Add("X-MS-CLIENT-PRINCIPAL", principal);
        await (await client.GetAsync("/api/inventory")).AssertProblemAsync(HttpStatusCode.Unauthorized, "authentication-required");
    }

    private HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
