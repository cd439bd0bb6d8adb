using System.Globalization;
using Pki.Core.Errors;

namespace Pki.Core;

/// <summary>
/// A time as a query string carries it for a filter: a date ("2026-12-01", its first moment, UTC) or an ISO 8601 time
/// with Z or an offset ("2026-12-01T08:00:00Z"). A time without an offset is refused: it would mean another instant on
/// every server. One rule for every listing and report.
/// </summary>
public static class FilterTime
{
    /// <summary>The instant <paramref name="text"/> names, null when absent; a 400 invalid-filter naming <paramref name="name"/> when malformed.</summary>
    public static DateTimeOffset? Parse(string name, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

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
