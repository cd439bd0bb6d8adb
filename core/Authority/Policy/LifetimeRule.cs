using Pki.Core.Errors;

namespace Pki.Core.Authority.Policy;

/// <summary>Requested lifetimes are whole days, at least one; longer than the profile allows is capped, not refused.</summary>
public sealed class LifetimeRule : IIssuancePolicyRule
{
    public void Check(IssuanceRequest request)
    {
        if (request.ValidityDays is < 1)
        {
            throw ProblemException.Unprocessable("invalid-validity", $"'validityDays' must be at least 1 (profile '{request.Profile.Name}' allows up to {request.Profile.MaxValidityDays}).");
        }
    }

    public static int EffectiveDays(IssuanceRequest request) =>
        Math.Min(request.ValidityDays ?? request.Profile.MaxValidityDays, request.Profile.MaxValidityDays);
}
