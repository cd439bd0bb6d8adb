using System.Globalization;

namespace Pki.Core.Reports;

/// <summary>
/// RFC 4180 fields and records: a field holding a comma, a double quote, CR or LF is quoted, its quotes doubled;
/// records end with CRLF. Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) is
/// prefixed with a single quote first (OWASP's CSV injection advice); numbers we write ourselves are not text and
/// are never prefixed, so a negative count stays a number.
/// </summary>
public static class Csv
{
    public const string ContentType = "text/csv; charset=utf-8";
    public const string NewLine = "\r\n";

    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];
    private static readonly char[] NeedsQuotes = [',', '"', '\r', '\n'];

    /// <summary>A text field: guarded against formula injection, then quoted if it must be.</summary>
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (Array.IndexOf(FormulaStarts, value[0]) >= 0)
        {
            value = "'" + value;
        }

        return value.IndexOfAny(NeedsQuotes) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Boolean(bool value) => value ? "true" : "false";

    /// <summary>ISO 8601 in UTC to the second, as spreadsheets and Python's datetime.fromisoformat read it.</summary>
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>One record from fields already made with <see cref="Text"/>, <see cref="Number"/> and the rest.</summary>
    public static string Record(IEnumerable<string> fields) => string.Join(',', fields) + NewLine;
}
