using System.Globalization;
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

        var from = Time("expiresFrom", expiresFrom);
        var to = Time("expiresTo", expiresTo);
        if (from > to)
        {
            throw ProblemException.BadRequest("invalid-filter", $"expiresFrom ({from:O}) is after expiresTo ({to:O}).");
        }

        return new ReportFilter(Teams.Normalize(team), from, to);
    }

    private static DateTimeOffset? Time(string name, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        // An offset is required: a bare local time means a different instant on every server.
        if (text.Length is > 10 and <= 40 && (text.EndsWith('Z') || text.EndsWith("z", StringComparison.Ordinal) || HasOffset(text))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time.ToUniversalTime();
        }

        throw ProblemException.BadRequest("invalid-filter", $"{name} must be a date (2026-12-01) or an ISO 8601 time with Z or an offset (2026-12-01T08:00:00Z); got '{Clip(text)}'.");
    }

    private static bool HasOffset(string text) =>
        text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':';

    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
