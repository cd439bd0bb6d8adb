using Pki.Core.Access;
using Pki.Core.Errors;

namespace Pki.Core.Authority.Policy;

/// <summary>
/// Every certificate belongs to a team, and a caller who does not manage every team may only request names its
/// team was granted; a renewal carries only names its team is granted, whoever asks. The team itself was settled
/// from the caller before the rules ran (<see cref="Teams"/>).
/// </summary>
public sealed class TeamRule(CallerContext callers, TeamGrants grants) : IIssuancePolicyRule
{
    public void Check(IssuanceRequest request)
    {
        if (request.Team is null)
        {
            // Renewals of certificates issued before teams existed keep their (absent) team.
            if (request.PredecessorSerial is not null)
            {
                return;
            }

            throw ProblemException.Unprocessable("missing-team", "Name the certificate's team in 'team' (your own team is used when you belong to one).");
        }

        // A renewal is held to its team's grants now, whoever triggers it: the renewer acts as the service, which may
        // act for every team but does not widen a team's grants, so a grant withdrawn since stops the renewal, and a
        // pipeline's renewal request (a requester of that team) meets the same rule. Only a new request may go beyond.
        if (request.PredecessorSerial is null && callers.Current.Has(Permission.ManageAllTeams))
        {
            return;
        }

        // A signer's name is granted by the approver who approves the request, not by name patterns.
        if (!request.Profile.NamesHosts)
        {
            return;
        }

        var csr = request.Csr;
        var names = csr.DnsNames.Count + csr.IpAddresses.Count == 0 && csr.CommonName is { } cn ? [cn] : csr.DnsNames;
        foreach (var name in names)
        {
            if (!grants.Allows(request.Team, name))
            {
                throw NotGranted(request.Team, name);
            }
        }

        foreach (var address in csr.IpAddresses)
        {
            if (!grants.Allows(request.Team, address))
            {
                throw NotGranted(request.Team, address.ToString());
            }
        }
    }

    private ProblemException NotGranted(string team, string name)
    {
        var granted = grants.Grants(team);
        return ProblemException.Forbidden("name-not-granted",
            $"Team '{team}' is not granted the name '{name}' (its grants: {(granted.Count == 0 ? "none" : string.Join(", ", granted))}).");
    }
}
