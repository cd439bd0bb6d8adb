using Pki.Core.Errors;

namespace Pki.Core.Authority.Policy;

/// <summary>One check of the registration authority; throws a <see cref="ProblemException"/> to refuse.</summary>
public interface IIssuancePolicyRule
{
    void Check(IssuanceRequest request);
}
