using System.Globalization;
using Microsoft.AspNetCore.Http;
using Pki.Core.Errors;

namespace Pki.Functions.Http;

/// <summary>Query parameters as the functions read them: each at most once, a repeated one refused with a 400.</summary>
public static class QueryParameters
{
    /// <summary>The parameter's value, null when absent; given twice is a 400 of <paramref name="problemType"/>.</summary>
    public static string? Single(IQueryCollection query, string name, string problemType = "invalid-filter")
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.TryGetValue(name, out var values)
            ? (values.Count == 1 ? values[0] : throw ProblemException.BadRequest(problemType, $"Give {name} once."))
            : null;
    }

    /// <summary>The parameter as a whole number, null when absent; anything else is a 400 invalid-filter.</summary>
    public static int? WholeNumber(IQueryCollection query, string name) =>
        Single(query, name) is not { } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw ProblemException.BadRequest("invalid-filter", $"{name} must be a whole number; got '{text}'.");
}
