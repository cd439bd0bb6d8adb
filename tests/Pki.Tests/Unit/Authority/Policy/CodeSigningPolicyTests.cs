using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Authority.Policy;

/// <summary>The code-signing profile names a signer, not hosts, and is held for approval unless configured otherwise.</summary>
public sealed class CodeSigningPolicyTests
{
    private static readonly Caller Requester = new("payments-bot", "payments", [Roles.Requester], "api-key");

    private static (RegistrationAuthority Ra, CallerContext Callers) Ra(Action<PkiOptions>? configure = null)
    {
        var options = new PkiOptions();
        options.Access.Teams["payments"] = new TeamOptions { Names = ["*.payments.internal"] };
        configure?.Invoke(options);
        var wrapped = Options.Create(options);
        var callers = new CallerContext();
        var rules = new IIssuancePolicyRule[]
        {
            new OwnerRule(), new TeamRule(callers, new TeamGrants(wrapped)), new SubjectAltNameRule(), new NameRule(wrapped), new LifetimeRule(),
        };
        return (new RegistrationAuthority(new ProfileCatalog(wrapped), rules, callers), callers);
    }

    private static CertificateRequestInput Input(byte[] csr, string profile = ProfileNames.CodeSigning) =>
        new(Convert.ToBase64String(csr), profile, "release@payments.internal", null);

    [Fact]
    public void A_signer_named_by_its_common_name_alone_passes_name_and_grant_checks_meant_for_hosts()
    {
        var (ra, callers) = Ra();
        using var _ = callers.Enter(Requester);
        var request = ra.Approve(Input(Csrs.Ec("Payments Release Signing")));
        Assert.Equal("payments", request.Team);
        Assert.True(request.Profile.RequiresApproval);
        Assert.False(request.Profile.NamesHosts);
        Assert.Equal(ProfileCatalog.DefaultCodeSigningMaxValidityDays, request.Profile.MaxValidityDays);

        // The same subject is no host name for a TLS profile.
        Assert.Throws<ProblemException>(() => ra.Approve(Input(Csrs.Ec("Payments Release Signing"), ProfileNames.TlsClient)));
    }

    [Theory]
    [InlineData(null, "missing-name")]
    [InlineData("x", "san-not-allowed")]
    public void A_code_signing_request_names_a_signer_and_no_hosts(string? commonName, string problem)
    {
        var (ra, callers) = Ra();
        using var _ = callers.Enter(Requester);
        var csr = problem == "san-not-allowed" ? Csrs.Ec("Signer", ["build.payments.internal"]) : Csrs.Ec(commonName);
        var e = Assert.Throws<ProblemException>(() => ra.Approve(Input(csr)));
        Assert.Equal(problem, e.Type);
        Assert.Equal(ProblemKind.Unprocessable, e.Kind);
    }

    [Fact]
    public void Approval_is_required_by_default_for_code_signing_only_and_configurable_per_profile()
    {
        var defaults = new ProfileCatalog(Options.Create(new PkiOptions()));
        Assert.False(defaults.Get(ProfileNames.TlsServer).RequiresApproval);
        Assert.False(defaults.Get(ProfileNames.TlsClient).RequiresApproval);
        Assert.True(defaults.Get(ProfileNames.CodeSigning).RequiresApproval);

        var options = new PkiOptions();
        options.Profiles[ProfileNames.TlsClient] = new ProfileOptions { RequiresApproval = true };
        options.Profiles[ProfileNames.CodeSigning] = new ProfileOptions { RequiresApproval = false, MaxValidityDays = 90 };
        var catalog = new ProfileCatalog(Options.Create(options));
        Assert.True(catalog.Get(ProfileNames.TlsClient).RequiresApproval);
        Assert.False(catalog.Get(ProfileNames.CodeSigning).RequiresApproval);
        Assert.Equal(90, catalog.Get(ProfileNames.CodeSigning).MaxValidityDays);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(721, false)]
    [InlineData(1, true)]
    [InlineData(72, true)]
    public void Pending_hours_and_code_signing_settings_are_checked_at_start_up(int hours, bool valid)
    {
        var options = PkiOptionsValidatorTests.Valid();
        options.Approvals.PendingHours = hours;
        options.Profiles[ProfileNames.CodeSigning] = new ProfileOptions { RequiresApproval = true };
        var result = new PkiOptionsValidator().Validate(null, options);
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Pki:Approvals:PendingHours", result.FailureMessage);
        }

        options.Profiles["code-sign"] = new ProfileOptions();
        Assert.Contains("code-signing", new PkiOptionsValidator().Validate(null, options).FailureMessage);
    }

    [Fact]
    public void A_certificate_of_a_profile_that_requires_approval_is_never_renewed_without_one()
    {
        var (ra, _) = Ra();
        var predecessor = new CertificateRecord("01", "ca", CertificateStatus.Issued, ProfileNames.CodeSigning, "alice", "CN=Signer",
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(30), "r", DateTimeOffset.UnixEpoch, CertificateDer: [1], Team: "payments");
        Assert.Equal("approval-required", Assert.Throws<ProblemException>(() => ra.ApproveRenewal(predecessor)).Type);
    }
}
