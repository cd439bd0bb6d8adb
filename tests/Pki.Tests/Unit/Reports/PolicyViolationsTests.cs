using Pki.Core.Authority;
using Pki.Core.Inventory;
using Pki.Core.Reports;

namespace Pki.Tests.Unit.Reports;

public sealed class PolicyViolationsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly PolicyViolations _policy = new(new ReportsOptions(), profile => profile == ProfileNames.TlsServer ? 47 : null);

    [Fact]
    public void An_owned_current_well_made_certificate_breaks_no_rule()
    {
        Assert.Empty(_policy.Evaluate(Item(), [], null, Now));
        Assert.Empty(_policy.Evaluate(Item() with { IssuerCaId = "issuing" }, [], Record(), Now));
    }

    [Theory]
    [InlineData(FindingCodes.WeakKey, ViolationCodes.WeakKey)]
    [InlineData(FindingCodes.WeakSignature, ViolationCodes.WeakSignature)]
    [InlineData(FindingCodes.SelfSigned, ViolationCodes.SelfSignedLeaf)]
    [InlineData(FindingCodes.Untrusted, ViolationCodes.UntrustedChain)]
    public void Findings_that_policy_forbids_are_violations_with_the_findings_message(string finding, string violation)
    {
        var found = Assert.Single(_policy.Evaluate(Item(), [new Finding(finding, FindingSeverity.High, "the detail")], null, Now));
        Assert.Equal((violation, "the detail"), (found.Code, found.Message));
    }

    [Theory]
    [InlineData(FindingCodes.Expiring)]
    [InlineData(FindingCodes.HostnameMismatch)]
    [InlineData(FindingCodes.ChainIncomplete)]
    [InlineData(FindingCodes.RenewedNotDeployed)]
    public void Findings_about_deployment_hygiene_are_not_policy_violations(string finding)
    {
        Assert.Empty(_policy.Evaluate(Item(), [new Finding(finding, FindingSeverity.Medium, "x")], null, Now));
    }

    [Theory]
    [InlineData(null, "payments", new[] { ViolationCodes.NoOwner })]
    [InlineData(" ", "payments", new[] { ViolationCodes.NoOwner })]
    [InlineData("bob@corp.test", null, new[] { ViolationCodes.NoTeam })]
    [InlineData(null, null, new[] { ViolationCodes.NoOwner, ViolationCodes.NoTeam })]
    public void A_leaf_without_owner_or_team_violates_ownership(string? owner, string? team, string[] expected)
    {
        Assert.Equal(expected, _policy.Evaluate(Item() with { Owner = owner, Team = team }, [], null, Now).Select(v => v.Code));
    }

    [Fact]
    public void A_CA_certificate_needs_no_owner_and_has_no_lifetime_limit()
    {
        var ca = Item() with { IsCa = true, Owner = null, Team = null, NotAfter = Now.AddYears(10) };
        Assert.Empty(_policy.Evaluate(ca, [], null, Now));
    }

    [Fact]
    public void Our_certificate_longer_than_its_profile_allows_now_violates_the_lifetime_rule_and_one_within_does_not()
    {
        var ours = Item() with { IssuerCaId = "issuing", NotBefore = Now.AddDays(-1), NotAfter = Now.AddDays(46) };
        Assert.Empty(_policy.Evaluate(ours, [], Record(), Now));

        var longer = ours with { NotAfter = Now.AddDays(60) };
        var violation = Assert.Single(_policy.Evaluate(longer, [], Record(), Now));
        Assert.Equal(ViolationCodes.LifetimeExceedsPolicy, violation.Code);
        Assert.Contains("'tls-server' allows at most 47", violation.Message, StringComparison.Ordinal);

        // A profile no longer configured has no maximum to compare with.
        Assert.Empty(_policy.Evaluate(longer, [], Record() with { Profile = "retired" }, Now));
    }

    [Fact]
    public void A_discovered_leaf_longer_than_398_days_violates_the_lifetime_rule()
    {
        Assert.Empty(_policy.Evaluate(Item() with { NotBefore = Now, NotAfter = Now.AddDays(398) }, [], null, Now));
        var violation = Assert.Single(_policy.Evaluate(Item() with { NotBefore = Now, NotAfter = Now.AddDays(399) }, [], null, Now));
        Assert.Equal(ViolationCodes.LifetimeExceedsPolicy, violation.Code);
    }

    [Fact]
    public void An_expired_certificate_seen_deployed_after_it_expired_is_expired_in_use_and_one_last_seen_before_is_not()
    {
        var expired = Item() with { Sources = InventorySources.Endpoint, NotBefore = Now.AddDays(-30), NotAfter = Now.AddDays(-2), LastSeen = Now.AddDays(-1) };
        Assert.Equal([ViolationCodes.ExpiredInUse], _policy.Evaluate(expired, [], null, Now).Select(v => v.Code));
        Assert.Empty(_policy.Evaluate(expired with { LastSeen = Now.AddDays(-3) }, [], null, Now));

        // Issued and never seen deployed: expired, but not in use.
        Assert.Empty(_policy.Evaluate(expired with { Sources = InventorySources.Issued }, [], null, Now));
    }

    [Fact]
    public void A_revoked_certificate_seen_deployed_after_its_revocation_is_revoked_in_use()
    {
        var revokedAt = Now.AddDays(-3);
        var record = Record() with { Status = CertificateStatus.Revoked, RevokedAt = revokedAt, RevocationReason = RevocationReason.KeyCompromise };
        var item = Item() with { IssuerCaId = "issuing", Revoked = true, Sources = InventorySources.Issued | InventorySources.KeyVault, LastSeen = Now.AddDays(-1) };

        var violation = Assert.Single(_policy.Evaluate(item, [], record, Now));
        Assert.Equal(ViolationCodes.RevokedInUse, violation.Code);
        Assert.Empty(_policy.Evaluate(item with { LastSeen = revokedAt.AddHours(-1) }, [], record, Now));
        Assert.Empty(_policy.Evaluate(item with { Sources = InventorySources.Issued }, [], record, Now));
    }

    private static InventoryItem Item() => new(
        new string('b', 64), "CN=a.test", "CN=Issuer", "0a", Now.AddDays(-1), Now.AddDays(40), ["a.test"], [], "EC", 256, "SHA256WITHECDSA", false,
        InventorySources.Issued, "alice@corp.test", "payments", OwnerSource.Issuance, Now.AddDays(-1), Now.AddDays(-1), null, false, []);

    private static CertificateRecord Record() => new(
        "0a", "issuing", CertificateStatus.Issued, ProfileNames.TlsServer, "alice@corp.test", "CN=a.test", Now.AddDays(-1), Now.AddDays(40), "req", Now.AddDays(-1), Team: "payments");
}
