using System.Text;

namespace Pki.Core.Signing;

/// <summary>
/// Addresses a key in a key store, parsed in this one place:
/// <c>pkcs11:token=pki-ca;object=issuing-ca-1</c> (RFC 7512 attributes) or <c>software:name=test</c>.
/// </summary>
public sealed class KeyUri : IEquatable<KeyUri>
{
    public const string Pkcs11Scheme = "pkcs11";
    public const string SoftwareScheme = "software";
    private const int MaxLength = 512;

    private static readonly Dictionary<string, string[]> RequiredAttributes = new(StringComparer.Ordinal)
    {
        [Pkcs11Scheme] = ["token", "object"],
        [SoftwareScheme] = ["name"],
    };

    private readonly SortedDictionary<string, string> _attributes;

    private KeyUri(string scheme, SortedDictionary<string, string> attributes)
    {
        Scheme = scheme;
        _attributes = attributes;
    }

    public string Scheme { get; }

    public IReadOnlyDictionary<string, string> Attributes => _attributes;

    public string this[string attribute] => _attributes[attribute];

    public static KeyUri Pkcs11(string token, string label) => Create(Pkcs11Scheme, ("token", token), ("object", label));

    public static KeyUri Software(string name) => Create(SoftwareScheme, ("name", name));

    private static KeyUri Create(string scheme, params (string Name, string Value)[] attributes)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in attributes)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
            map[name] = value;
        }

        return new KeyUri(scheme, map);
    }

    public static KeyUri Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!TryParse(value, out var uri, out var error))
        {
            throw new FormatException($"Key URI '{value}' is not valid: {error}");
        }

        return uri;
    }

    public static bool TryParse(string value, out KeyUri uri, out string error)
    {
        uri = null!;
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLength)
        {
            error = $"a key URI is 1 to {MaxLength} characters";
            return false;
        }

        var colon = value.IndexOf(':');
        if (colon <= 0)
        {
            error = "it has no scheme (expected 'pkcs11:' or 'software:')";
            return false;
        }

        var scheme = value[..colon];
        if (!RequiredAttributes.TryGetValue(scheme, out var required))
        {
            error = $"scheme '{scheme}' is not supported (expected one of {string.Join(", ", RequiredAttributes.Keys)})";
            return false;
        }

        var attributes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in value[(colon + 1)..].Split(';'))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                error = $"attribute '{part}' is not name=value";
                return false;
            }

            var name = part[..eq];
            if (!required.Contains(name, StringComparer.Ordinal))
            {
                error = $"attribute '{name}' is not known for scheme '{scheme}'";
                return false;
            }

            if (!TryPercentDecode(part[(eq + 1)..], out var decoded) || decoded.Length == 0)
            {
                error = $"attribute '{name}' has an empty or badly escaped value";
                return false;
            }

            if (attributes.TryGetValue(name, out var existing))
            {
                error = existing == decoded
                    ? $"attribute '{name}' is repeated"
                    : $"attribute '{name}' is given twice with conflicting values '{existing}' and '{decoded}'";
                return false;
            }

            attributes[name] = decoded;
        }

        var missing = required.Where(r => !attributes.ContainsKey(r)).ToArray();
        if (missing.Length > 0)
        {
            error = $"required attribute(s) missing: {string.Join(", ", missing)}";
            return false;
        }

        uri = new KeyUri(scheme, attributes);
        error = string.Empty;
        return true;
    }

    private static bool TryPercentDecode(string value, out string decoded)
    {
        decoded = string.Empty;
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%')
            {
                if (i + 2 >= value.Length || !byte.TryParse(value.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out var b))
                {
                    return false;
                }

                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
            }
        }

        decoded = Encoding.UTF8.GetString([.. bytes]);
        return true;
    }

    private static string PercentEncode(string value)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2"));
            }
        }

        return sb.ToString();
    }

    public override string ToString() =>
        Scheme + ":" + string.Join(';', RequiredAttributes[Scheme].Select(a => a + "=" + PercentEncode(_attributes[a])));

    public bool Equals(KeyUri? other) => other is not null && ToString() == other.ToString();

    public override bool Equals(object? obj) => Equals(obj as KeyUri);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
