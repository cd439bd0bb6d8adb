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
        }

        reason = string.Empty;
        return true;
    }
}
