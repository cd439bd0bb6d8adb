using System.Globalization;
using System.Text;

namespace Pki.Functions.Http;

/// <summary>
/// Makes caller-supplied text (decoded paths, problem details that quote input) safe to log: a control character
/// or line separator becomes an escape such as \n or \u0085, so a value can never start a forged log line.
/// </summary>
public static class LogText
{
    public static string? Escape(string? value)
    {
        if (value is null || !value.Any(NeedsEscape))
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\r':
                    escaped.Append("\\r");
                    break;
                case '\n':
                    escaped.Append("\\n");
                    break;
                case '\t':
                    escaped.Append("\\t");
                    break;
                default:
                    if (NeedsEscape(c))
                    {
                        escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        escaped.Append(c);
                    }

                    break;
            }
        }

        return escaped.ToString();
    }

    // U+2028 and U+2029 end lines in many log viewers although they are not control characters.
    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
