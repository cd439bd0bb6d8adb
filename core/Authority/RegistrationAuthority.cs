using Pki.Core.Authority.Policy;

namespace Pki.Core.Authority;

/// <summary>
/// Policy before signing, as Boulder's RA: parse and verify the CSR, then apply each rule in order.
/// Nothing is stored here, so a refusal leaves no trace.
/// </summary>
public sealed class RegistrationAuthority(ProfileCatalog profiles, IEnumerable<IIssuancePolicyRule> rules)
{
    private readonly IIssuancePolicyRule[] _rules = [.. rules];

    public IssuanceRequest Approve(CertificateRequestInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var profile = profiles.Get(input.Profile);
        var csr = CsrParser.Parse(input.Csr);
        var request = new IssuanceRequest(csr, profile, input.Owner?.Trim(), input.ValidityDays);
        foreach (var rule in _rules)
        {
            rule.Check(request);
        }

        return request;
    }
}
