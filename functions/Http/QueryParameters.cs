using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Pki.Core.Errors;

namespace Pki.Functions.Http;

/// <summary>Query parameters as the functions read them: each at most once, a repeated one refused with a 400.</summary>
public static class QueryParameters
{
    /// <summary>A filter of a listing: its value, null when absent; given twice is a 400 invalid-filter.</summary>
    public static string? Filter(IQueryCollection query, string name) =>
        Values(query, name) is not { } values ? null
        : values.Count == 1 ? values[0]
        : throw ProblemException.BadRequest("invalid-filter", $"Give {name} once.");

    /// <summary>Any other parameter: its value, null when absent; given twice is a 400 invalid-query.</summary>
    public static string? Parameter(IQueryCollection query, string name) =>
        Values(query, name) is not { } values ? null
        : values.Count == 1 ? values[0]
        : throw ProblemException.BadRequest("invalid-query", $"Give {name} once.");

    /// <summary>A filter as a whole number, null when absent; anything else is a 400 invalid-filter.</summary>
    public static int? WholeNumberFilter(IQueryCollection query, string name) =>
        Filter(query, name) is not { } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw ProblemException.BadRequest("invalid-filter", $"{name} must be a whole number; got '{text}'.");

    private static StringValues? Values(IQueryCollection query, string name)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.TryGetValue(name, out var values) ? values : (StringValues?)null;
    }
}
