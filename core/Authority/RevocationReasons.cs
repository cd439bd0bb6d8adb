using Pki.Core.Errors;

namespace Pki.Core.Authority;

/// <summary>The RFC 5280 names callers use, and which of them an end-entity revocation may give.</summary>
public static class RevocationReasons
{
    private static readonly Dictionary<string, RevocationReason> Accepted = new(StringComparer.Ordinal)
    {
        ["unspecified"] = RevocationReason.Unspecified,
        ["keyCompromise"] = RevocationReason.KeyCompromise,
        ["affiliationChanged"] = RevocationReason.AffiliationChanged,
        ["superseded"] = RevocationReason.Superseded,
        ["cessationOfOperation"] = RevocationReason.CessationOfOperation,
        ["privilegeWithdrawn"] = RevocationReason.PrivilegeWithdrawn,
    };

    public static IReadOnlyCollection<string> AcceptedNames => Accepted.Keys;

    /// <summary>The reason a caller named; a missing reason is unspecified.</summary>
    public static RevocationReason Parse(string? name)
    {
        if (name is null)
        {
            return RevocationReason.Unspecified;
        }

        if (Accepted.TryGetValue(name, out var reason))
        {
            return reason;
        }

        if (name == "certificateHold")
        {
            throw ProblemException.Unprocessable("hold-not-supported",
                "certificateHold is refused: revocation here is permanent, and a suspended certificate cannot be told apart from a revoked one by every relying party.");
        }

        throw ProblemException.BadRequest("unknown-revocation-reason",
            $"'{name}' is not a revocation reason for an end-entity certificate; use one of {string.Join(", ", AcceptedNames)}.");
    }

    /// <summary>The RFC 5280 name, as the API and the CRL tools print it.</summary>
    public static string Name(RevocationReason reason) => reason switch
    {
        RevocationReason.CaCompromise => "cACompromise",
        RevocationReason.RemoveFromCrl => "removeFromCRL",
        RevocationReason.AaCompromise => "aACompromise",
        _ => char.ToLowerInvariant(reason.ToString()[0]) + reason.ToString()[1..],
    };
}
