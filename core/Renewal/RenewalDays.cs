using System.Globalization;

namespace Pki.Core.Renewal;

/// <summary>The UTC day names of the renewal index buckets (yyyyMMdd, so they sort as days do).</summary>
public static class RenewalDays
{
    public const string Format = "yyyyMMdd";

    public static string Of(DateTimeOffset moment) => moment.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateOnly Parse(string day) => DateOnly.ParseExact(day, Format, CultureInfo.InvariantCulture);

    public static string Of(DateOnly day) => day.ToString(Format, CultureInfo.InvariantCulture);
}
