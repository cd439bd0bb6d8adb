using System.Text;

namespace Pki.Core.Signing;

/// <summary>
/// Addresses a key in a key store, parsed in this one place:
/// <c>pkcs11:token=pki-ca;object=issuing-ca-1</c> (RFC 7512 attributes),
/// <c>azurekms:vault=pki-prod;name=issuing-ca-1;version=0123abcd...</c> (step-ca's form; version optional)
/// or <c>software:name=test</c>.
/// </summary>
public sealed class KeyUri : IEquatable<KeyUri>
{
    public const string Pkcs11Scheme = "pkcs11";
    public const string SoftwareScheme = "software";
    public const string AzureKmsScheme = "azurekms";
    private const int MaxLength = 512;

    /// <summary>Each scheme's attributes in printing order; required ones first.</summary>
    private static readonly Dictionary<string, string[]> RequiredAttributes = new(StringComparer.Ordinal)
    {
        [Pkcs11Scheme] = ["token", "object"],
        [SoftwareScheme] = ["name"],
        [AzureKmsScheme] = ["vault", "name"],
    };

    private static readonly Dictionary<string, string[]> OptionalAttributes = new(StringComparer.Ordinal)
    {
        [AzureKmsScheme] = ["version"],
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

    /// <summary>A key in Azure Key Vault; without a version it means the key's current version.</summary>
    public static KeyUri AzureKms(string vault, string name, string? version = null) => version is null
        ? Create(AzureKmsScheme, ("vault", vault), ("name", name))
        : Create(AzureKmsScheme, ("vault", vault), ("name", name), ("version", version));

    /// <summary>The value of an attribute, or null when the URI does not carry it (optional attributes).</summary>
    public string? GetAttribute(string attribute) => _attributes.GetValueOrDefault(attribute);

    private static KeyUri Create(string scheme, params (string Name, string Value)[] attributes)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in attributes)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
            if (ValueError(scheme, name, value) is { } error)
            {
                throw new ArgumentException(error, name);
            }

            map[name] = value;
        }

        return new KeyUri(scheme, map);
    }

    /// <summary>
    /// Key Vault names and versions become URL path segments, so they are held to Key Vault's own
    /// character sets here rather than escaped later.
    /// </summary>
    private static string? ValueError(string scheme, string attribute, string value)
    {
        if (scheme != AzureKmsScheme)
        {
            return null;
        }

        var (max, hyphens) = attribute switch
        {
            "vault" => (63, true),
            "name" => (127, true),
            _ => (64, false),
        };
        return value.Length <= max && value.All(c => char.IsAsciiLetterOrDigit(c) || (hyphens && c == '-'))
            ? null
            : $"attribute '{attribute}' must be 1 to {max} ASCII letters{(hyphens ? ", digits or hyphens" : " or digits")}; got '{value}'";
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
            error = "it has no scheme (expected 'pkcs11:', 'azurekms:' or 'software:')";
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
            if (!required.Contains(name, StringComparer.Ordinal) && !OptionalAttributes.GetValueOrDefault(scheme, []).Contains(name, StringComparer.Ordinal))
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

            if (ValueError(scheme, name, decoded) is { } invalid)
            {
                error = invalid;
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
        Scheme + ":" + string.Join(';', RequiredAttributes[Scheme].Concat(OptionalAttributes.GetValueOrDefault(Scheme, []))
            .Where(_attributes.ContainsKey)
            .Select(a => a + "=" + PercentEncode(_attributes[a])));

    public bool Equals(KeyUri? other) => other is not null && ToString() == other.ToString();

    public override bool Equals(object? obj) => Equals(obj as KeyUri);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
