using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Errors;

namespace Pki.Tests.Unit.Access;

public sealed class AccessTests
{
    private static TeamGrants Grants(params string[] names)
    {
        var options = new PkiOptions();
        options.Access.Teams["payments"] = new TeamOptions { Names = [.. names] };
        return new TeamGrants(Options.Create(options));
    }

    [Theory]
    [InlineData("api.payments.internal", true)]
    [InlineData("a.b.payments.internal", true)]
    [InlineData("*.payments.internal", true)]
    [InlineData("API.Payments.Internal", true)]
    [InlineData("payments.internal", false)]
    [InlineData("evilpayments.internal", false)]
    [InlineData("payments.internal.evil.test", false)]
    [InlineData("exact.web.internal", true)]
    [InlineData("other.web.internal", false)]
    public void A_grant_matches_names_below_its_suffix_at_a_label_boundary_or_exactly(string name, bool allowed) =>
        Assert.Equal(allowed, Grants("*.payments.internal", "exact.web.internal").Allows("payments", name));

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.1.3.3", false)]
    [InlineData("192.168.0.7", true)]
    [InlineData("192.168.0.8", false)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("::ffff:192.168.0.7", true)]
    [InlineData("::ffff:10.1.3.3", false)]
    public void An_ip_grant_is_an_address_or_a_range_and_a_mapped_address_is_judged_as_the_ipv4_one(string address, bool allowed) =>
        Assert.Equal(allowed, Grants("10.1.2.0/24", "192.168.0.7").Allows("payments", IPAddress.Parse(address)));

    [Fact]
    public void A_team_without_grants_is_granted_nothing() =>
        Assert.False(Grants("*.payments.internal").Allows("web", "a.payments.internal"));

    [Fact]
    public void Only_a_caller_who_manages_every_team_names_another_team()
    {
        var requester = new Caller("bot", "payments", [Roles.Requester], "api-key");
        Assert.Equal("payments", Teams.Resolve(null, requester));
        Assert.Equal("payments", Teams.Resolve("PAYMENTS", requester));
        Assert.Equal("team-not-yours", Assert.Throws<ProblemException>(() => Teams.Resolve("web", requester)).Type);
        Assert.Equal("web", Teams.Resolve("web", new Caller("root", "platform", [Roles.Admin], "api-key")));
        Assert.Equal("invalid-team", Assert.Throws<ProblemException>(() => Teams.Resolve("a b", requester)).Type);
        Assert.Null(Teams.Resolve(null, new Caller("loner", null, [Roles.Requester], "api-key")));
    }

    [Fact]
    public void Roles_grant_their_permissions_and_nothing_more()
    {
        var auditor = new Caller("a", "compliance", [Roles.Auditor], "api-key");
        Assert.True(auditor.Has(Permission.ReadAudit));
        Assert.True(auditor.CanRead("payments"));
        Assert.False(auditor.CanManage("payments"));
        Assert.False(auditor.Has(Permission.RequestCertificates));
        Assert.False(auditor.Has(Permission.RevokeCertificates));

        var requester = new Caller("r", "payments", [Roles.Requester], "api-key");
        Assert.True(requester.CanRead("payments"));
        Assert.False(requester.CanRead("web"));
        Assert.False(requester.CanRead(null));
        Assert.False(requester.Has(Permission.ApproveRequests));

        Assert.Empty(new Caller("n", "payments", ["no-such-role"], "api-key").Permissions);
        Assert.Equal(Enum.GetValues<Permission>().Length, new Caller("x", null, [Roles.Admin], "api-key").Permissions.Count);
    }

    [Fact]
    public async Task A_key_is_known_by_its_hash_and_a_wrong_key_is_refused_not_ignored()
    {
        var keys = new Dictionary<string, KeyCredentialOptions> { ["ci"] = new() { Sha256 = KeyAuthenticator.Hash("pki_secret"), Team = "payments", Roles = [Roles.Requester] } };
        var authenticator = new KeyAuthenticator("api-key", KeyAuthenticator.ApiKeyHeader, keys);
        var ok = await authenticator.AuthenticateAsync(h => h == KeyAuthenticator.ApiKeyHeader ? "pki_secret" : null);
        Assert.Equal("ci", ok.Caller!.Id);
        Assert.Equal("payments", ok.Caller.Team);
        Assert.NotNull((await authenticator.AuthenticateAsync(_ => "pki_wrong")).Failure);
        Assert.NotNull((await authenticator.AuthenticateAsync(_ => new string('k', 10_000))).Failure);
        Assert.False((await authenticator.AuthenticateAsync(_ => null)).Presented);
    }

    [Fact]
    public async Task The_app_service_principal_is_read_only_where_trusted()
    {
        var header = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            """{"auth_typ":"aad","claims":[{"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"oid-1"},{"typ":"roles","val":"auditor"},{"typ":"roles","val":"superuser"},{"typ":"groups","val":"g1"}],"role_typ":"roles"}"""));
        var options = new AccessOptions { TrustAppServicePrincipal = true };
        options.Entra.GroupTeams["g1"] = "compliance";
        var trusted = await new AppServicePrincipalAuthenticator(options).AuthenticateAsync(h => h == AppServicePrincipalAuthenticator.PrincipalHeader ? header : null);
        Assert.Equal("oid-1", trusted.Caller!.Id);
        Assert.Equal("compliance", trusted.Caller.Team);
        Assert.Equal([Roles.Auditor], trusted.Caller.Roles);

        Assert.False(new AppServicePrincipalAuthenticator(new AccessOptions()).Enabled);
        Assert.NotNull((await new AppServicePrincipalAuthenticator(options).AuthenticateAsync(_ => "bm90IGpzb24=")).Failure);
    }

    [Fact]
    public void Start_up_refuses_a_plain_key_an_unknown_role_a_bad_grant_and_an_incomplete_entra_setting()
    {
        var options = new PkiOptions();
        options.Access.ApiKeys["ci"] = new KeyCredentialOptions { Sha256 = "pki_the-key-itself", Roles = ["superuser"] };
        options.Access.Teams["web"] = new TeamOptions { Names = ["bad name"] };
        options.Access.Entra.TenantId = "not-a-guid";
        var errors = new List<string>();
        AccessOptionsValidation.Validate(options.Access, errors);
        Assert.Contains(errors, e => e.Contains("Pki:Access:ApiKeys:ci:Sha256", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Pki:Access:ApiKeys:ci:Roles holds 'superuser'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Pki:Access:Teams:web:Names holds 'bad name'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Pki:Access:Entra:TenantId", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Pki:Access:Entra:Audiences", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(2, true)]
    [InlineData(AccessOptionsValidation.MaxForwardedForHops, true)]
    [InlineData(AccessOptionsValidation.MaxForwardedForHops + 1, false)]
    public void Start_up_takes_between_none_and_eight_trusted_proxies(int hops, bool accepted)
    {
        var errors = new List<string>();
        AccessOptionsValidation.Validate(new AccessOptions { ForwardedForHops = hops }, errors);
        Assert.Equal(accepted, !errors.Any(e => e.Contains("Pki:Access:ForwardedForHops", StringComparison.Ordinal)));
    }
}
