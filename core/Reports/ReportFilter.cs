using Pki.Core.Access;
using Pki.Core.Errors;

namespace Pki.Core.Reports;

/// <summary>
/// Filters both reports take; all given ones must hold. <see cref="ExpiresFrom"/> and <see cref="ExpiresTo"/>
/// bound a certificate's notAfter, both inclusive.
/// </summary>
public sealed record ReportFilter(string? Team = null, DateTimeOffset? ExpiresFrom = null, DateTimeOffset? ExpiresTo = null)
{
    public const int MaxTeamLength = 256;

    /// <summary>
    /// Reads the filters as a query string carries them: team in any case (teams are one whatever their case), times as
    /// ISO 8601 with an offset or Z ("2026-12-01T00:00:00Z"), or a date ("2026-12-01", meaning its first moment, UTC).
    /// </summary>
    public static ReportFilter Parse(string? team, string? expiresFrom, string? expiresTo)
    {
        if (team is { } t && (string.IsNullOrWhiteSpace(t) || t.Length > MaxTeamLength || t.Any(char.IsControl)))
        {
            throw ProblemException.BadRequest("invalid-filter", $"team must be 1 to {MaxTeamLength} printable characters.");
        }

        var from = FilterTime.Parse("expiresFrom", expiresFrom);
        var to = FilterTime.Parse("expiresTo", expiresTo);
        if (from > to)
        {
            throw ProblemException.BadRequest("invalid-filter", $"expiresFrom ({from:O}) is after expiresTo ({to:O}).");
        }

        return new ReportFilter(Teams.Normalize(team), from, to);
    }
}
