using Pki.Core.Errors;

namespace Pki.Core.Authority.Policy;

/// <summary>Every certificate has someone to tell when it needs attention.</summary>
public sealed class OwnerRule : IIssuancePolicyRule
{
    public const int MaxLength = 256;

    public void Check(IssuanceRequest request)
    {
        var owner = request.Owner;
        if (string.IsNullOrWhiteSpace(owner))
        {
            throw ProblemException.Unprocessable("missing-owner", "Name the certificate's owner in 'owner' (a person or team who is told when it needs attention).");
        }

        if (owner.Length > MaxLength || owner.Any(char.IsControl))
        {
            throw ProblemException.Unprocessable("invalid-owner", $"'owner' must be at most {MaxLength} printable characters.");
        }
    }
}
