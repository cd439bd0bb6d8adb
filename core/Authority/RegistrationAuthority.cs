using Pki.Core.Access;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;

namespace Pki.Core.Authority;

/// <summary>
/// Policy before signing, as Boulder's RA: parse and verify the CSR, then apply each rule in order.
/// Nothing is stored here, so a refusal leaves no trace.
/// </summary>
public sealed class RegistrationAuthority(ProfileCatalog profiles, IEnumerable<IIssuancePolicyRule> rules, CallerContext callers)
{
    private readonly IIssuancePolicyRule[] _rules = [.. rules];

    public IssuanceRequest Approve(CertificateRequestInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var profile = profiles.Get(input.Profile);
        var csr = CsrParser.Parse(input.Csr);
        var team = Teams.Resolve(input.Team, callers.Current);
        var request = new IssuanceRequest(csr, profile, input.Owner?.Trim(), input.ValidityDays, input.AutoRenew, Team: team);
        foreach (var rule in _rules)
        {
            rule.Check(request);
        }

        return request;
    }

    /// <summary>
    /// The successor of an issued certificate: the predecessor's public key, names, profile and owner, through the
    /// same key check and rules as a CSR, so a policy tightened since then refuses the renewal (with its reason).
    /// The lifetime is the predecessor's, capped by the profile as for any request.
    /// </summary>
    /// <param name="heldForApproval">The caller holds the successor for an approver (Key Vault renewal) instead of signing it at once.</param>
    public IssuanceRequest ApproveRenewal(CertificateRecord predecessor, bool heldForApproval = false)
    {
        ArgumentNullException.ThrowIfNull(predecessor);
        if (predecessor.CertificateDer is null)
        {
            throw new ArgumentException($"Certificate {predecessor.SerialNumber} has no DER; only an issued certificate can be renewed.", nameof(predecessor));
        }

        var profile = profiles.Get(predecessor.Profile);
        if (profile.RequiresApproval && !heldForApproval)
        {
            // Invariant: a certificate of such a profile exists only after a person approved it; its owner asks again.
            throw ProblemException.Unprocessable("approval-required", $"Certificates of profile '{profile.Name}' are issued only after approval; request a successor, an approver approves it.");
        }

        var subject = IssuedCertificateReader.Read(predecessor.CertificateDer);
        KeyRule.CheckKey(subject.PublicKey);
        var days = (int)Math.Max(1, Math.Round((predecessor.NotAfter - predecessor.NotBefore).TotalDays));
        var request = new IssuanceRequest(subject, profile, predecessor.Owner, days, predecessor.AutoRenew, predecessor.SerialNumber, predecessor.Team);
        foreach (var rule in _rules)
        {
            rule.Check(request);
        }

        return request;
    }
}
