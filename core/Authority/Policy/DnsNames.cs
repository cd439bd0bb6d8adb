using System.Globalization;

namespace Pki.Core.Authority.Policy;

/// <summary>Syntax of DNS names in certificates (RFC 5280 4.2.1.6 preferred name syntax, one leading wildcard label).</summary>
public static class DnsNames
{
    public static bool IsValid(string name, out string reason)
    {
        if (name.Length is 0 or > 253)
        {
            reason = "it must be 1 to 253 characters";
            return false;
        }

        if (name.EndsWith('.'))
        {
            reason = "it must not end with a dot";
            return false;
        }

        var labels = name.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label == "*" && i == 0 && labels.Length > 1)
            {
                continue;
            }

            if (label.Length is 0 or > 63)
            {
                reason = "each label must be 1 to 63 characters";
                return false;
            }

            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                reason = label.Contains('*')
                    ? "a wildcard may only be the whole leftmost label"
                    : "labels may hold only ASCII letters, digits and hyphens (write internationalised names as xn-- punycode)";
                return false;
            }

            if (label.StartsWith('-') || label.EndsWith('-'))
            {
                reason = "a label must not start or end with a hyphen";
                return false;
            }

            if (label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase) && !IsPunycode(label))
            {
                reason = $"the label '{label}' starts with xn-- but is not valid punycode (IDNA)";
                return false;
            }
        }

        reason = string.Empty;
        return true;
    }

    /// <summary>
    /// A name with its ASCII letters lower-cased (DNS compares them case-insensitively, RFC 4343); other characters stay,
    /// so a name that is not ASCII is still refused rather than folded into one that is (the Kelvin sign into 'k').
    /// </summary>
    public static string ToLowerAscii(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Any(char.IsAsciiLetterUpper)
            ? string.Create(name.Length, name, (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    span[i] = char.IsAsciiLetterUpper(source[i]) ? (char)(source[i] | 0x20) : source[i];
                }
            })
            : name;
    }

    /// <summary>An A-label must decode (RFC 5891) and encode back to itself, or clients disagree about the name it stands for.</summary>
    private static bool IsPunycode(string label)
    {
        try
        {
            var idn = new IdnMapping { UseStd3AsciiRules = true };
            return string.Equals(idn.GetAscii(idn.GetUnicode(label)), label, StringComparison.OrdinalIgnoreCase);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
