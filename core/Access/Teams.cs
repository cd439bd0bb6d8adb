using Pki.Core.Errors;

namespace Pki.Core.Access;

/// <summary>Settles which team a new certificate belongs to, from what the caller asked and who the caller is.</summary>
public static class Teams
{
    public const int MaxNameLength = 64;

    /// <summary>
    /// A team name as it is stored and compared everywhere: trimmed and lower case (invariant), so "Fleet", "FLEET" and
    /// "fleet" are one team; null for none. Every entry point (callers, requests, owner rules, the owner PUT, filters,
    /// what is read back from storage) goes through this one rule.
    /// </summary>
    public static string? Normalize(string? team) => string.IsNullOrWhiteSpace(team) ? null : team.Trim().ToLowerInvariant();

    /// <summary>
    /// The requested team (lower case), or the caller's own. Naming another team than one's own needs
    /// <see cref="Permission.ManageAllTeams"/>. Null when neither says (the team rule then refuses).
    /// </summary>
    public static string? Resolve(string? requested, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var team = Normalize(requested);
        if (team is not null && (team.Length > MaxNameLength || !team.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw ProblemException.Unprocessable("invalid-team", $"'team' must be 1 to {MaxNameLength} ASCII letters, digits, '-', '_' or '.'.");
        }

        if (team is null)
        {
            return caller.Team;
        }

        if (!caller.CanManage(team))
        {
            throw ProblemException.Forbidden("team-not-yours", $"Caller '{caller.Id}' of team '{caller.Team ?? "none"}' cannot request certificates for team '{team}'.");
        }

        return team;
    }
}
