using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Pki.Core;

/// <summary>
/// Binds <see cref="PkiOptions"/> from configuration so that a value that does not fit its setting (<c>UseTls=Off</c>, a
/// port that is no number) is a start-up error naming the setting, and for a choice its valid values, among the
/// validator's others, instead of the configuration binder's exception and stack trace on the first one. Every setting
/// whose value converts is bound as the binder binds it; the ones that do not are left at their defaults and reported
/// by <see cref="PkiOptionsValidator"/>.
/// </summary>
public static class PkiOptionsBinding
{
    public static void Bind(IConfiguration section, PkiOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        var bindable = new List<KeyValuePair<string, string?>>();
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is not null && TypeAt(typeof(PkiOptions), key.Split(ConfigurationPath.KeyDelimiter)) is { } type && Mismatch(type, value) is { } expected)
            {
                options.BindingErrors.Add($"{PkiOptions.Section}:{key} must be {expected}; got '{Clip(value)}'.");
                continue;
            }

            bindable.Add(new(key, value));
        }

        new ConfigurationBuilder().AddInMemoryCollection(bindable).Build().Bind(options);
    }

    /// <summary>The type the binder converts a setting's value to, following properties, dictionary keys and list indexes; null for a key it ignores.</summary>
    private static Type? TypeAt(Type type, ReadOnlySpan<string> path)
    {
        while (!path.IsEmpty)
        {
            if (type.IsArray)
            {
                type = type.GetElementType()!;
            }
            else if (type.IsGenericType && type.GetGenericArguments() is { Length: 1 } item && typeof(IEnumerable).IsAssignableFrom(type) && type != typeof(string))
            {
                type = item[0];
            }
            else if (type.IsGenericType && type.GetGenericArguments() is { Length: 2 } pair && typeof(IDictionary).IsAssignableFrom(type))
            {
                type = pair[1];
            }
            else if (type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { } property)
            {
                type = property.PropertyType;
            }
            else
            {
                return null;
            }

            path = path[1..];
        }

        return type;
    }

    /// <summary>What the setting must be when <paramref name="value"/> does not convert to <paramref name="type"/> (as the binder converts it); null when it does.</summary>
    private static string? Mismatch(Type type, string value)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type == typeof(object) || !type.IsValueType)
        {
            return null;
        }

        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException || e.InnerException is FormatException or ArgumentException or OverflowException)
        {
            return type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}"
                : type == typeof(bool) ? "true or false"
                : type == typeof(int) || type == typeof(long) ? "a whole number"
                : type == typeof(double) || type == typeof(decimal) ? "a number (invariant culture: 0.5)"
                : type == typeof(TimeSpan) ? "a time span (00:05:00)"
                : $"a {type.Name}";
        }
    }

    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
