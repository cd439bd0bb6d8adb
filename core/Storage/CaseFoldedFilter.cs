using Azure.Data.Tables;

namespace Pki.Core.Storage;

/// <summary>
/// A table filter for a column that should equal a value whatever the case it was stored in. Table Storage compares
/// strings ordinally and has no case-insensitive operator, so this asks for the key ranges that hold every case variant
/// of the value (one range per variant of its first character: [each character's smallest variant, its largest]) and
/// the caller keeps the rows that really match. Rows written before a value was normalised are found this way too.
/// </summary>
internal static class CaseFoldedFilter
{
    /// <summary>The ranges of <paramref name="column"/> that hold every case variant of <paramref name="value"/>; a superset to check row by row.</summary>
    public static string Of(string column, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        var low = new string([.. value[1..].Select(c => Min(Variants(c)))]);
        var high = new string([.. value[1..].Select(c => Max(Variants(c)))]);
        var ranges = Variants(value[0]).Select(first =>
            $"({column} ge {Quote(first + low)} and {column} le {Quote(first + high)})");
        return "(" + string.Join(" or ", ranges) + ")";
    }

    private static char[] Variants(char c) => [.. new[] { c, char.ToUpperInvariant(c), char.ToLowerInvariant(c) }.Distinct()];

    private static char Min(char[] variants) => variants.Min();

    private static char Max(char[] variants) => variants.Max();

    /// <summary>An OData string literal, quotes doubled, as <see cref="TableClient.CreateQueryFilter(FormattableString)"/> writes it.</summary>
    private static string Quote(string text) => TableClient.CreateQueryFilter($"{text}");
}
