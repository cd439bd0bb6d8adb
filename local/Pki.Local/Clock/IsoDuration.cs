using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Pki.Local.Clock;

/// <summary>
/// ISO 8601 durations in weeks, days, hours, minutes and seconds (<c>P30D</c>, <c>PT2H</c>, <c>P1DT12H30M</c>,
/// <c>P2W</c>). Years and months are refused: their length depends on where they start.
/// </summary>
public static partial class IsoDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text is null || Pattern().Match(text.Trim()) is not { Success: true } match)
        {
            return false;
        }

        // "P", "PT" and "P1DT" match the pattern but name no time.
        var timePart = match.Groups["h"].Success || match.Groups["m"].Success || match.Groups["s"].Success;
        if (!(timePart || match.Groups["w"].Success || match.Groups["d"].Success) || (text.Contains('T', StringComparison.OrdinalIgnoreCase) && !timePart))
        {
            return false;
        }

        try
        {
            duration = TimeSpan.FromDays(7 * Number(match, "w"))
                + TimeSpan.FromDays(Number(match, "d"))
                + TimeSpan.FromHours(Number(match, "h"))
                + TimeSpan.FromMinutes(Number(match, "m"))
                + TimeSpan.FromSeconds(Number(match, "s"));
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>The shortest form: <c>P30DT1H</c>, <c>PT0S</c> for zero. Fractions of a second are kept to the millisecond.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            return "-" + Format(duration.Negate());
        }

        var text = new StringBuilder("P");
        if (duration.Days > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Days}D");
        }

        var time = new StringBuilder();
        if (duration.Hours > 0)
        {
            time.Append(CultureInfo.InvariantCulture, $"{duration.Hours}H");
        }

        if (duration.Minutes > 0)
        {
            time.Append(CultureInfo.InvariantCulture, $"{duration.Minutes}M");
        }

        var seconds = duration.Seconds + (duration.Milliseconds / 1000m);
        if (seconds > 0 || (duration.Days == 0 && time.Length == 0))
        {
            time.Append(seconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('S');
        }

        return time.Length == 0 ? text.ToString() : text.Append('T').Append(time).ToString();
    }

    private static double Number(Match match, string group) =>
        match.Groups[group].Success ? double.Parse(match.Groups[group].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"^P(?:(?<w>\d{1,6})W)?(?:(?<d>\d{1,6})D)?(?:T(?:(?<h>\d{1,8})H)?(?:(?<m>\d{1,9})M)?(?:(?<s>\d{1,10}(?:\.\d{1,7})?)S)?)?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
