using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Pki.Core.Errors;

namespace Pki.Functions.Http;

/// <summary>RFC 9457 problem details, the only shape an HTTP error takes.</summary>
public static class ProblemResults
{
    public const string ContentType = "application/problem+json";
    public const string TypePrefix = "urn:serverless-pki:problem:";

    public static int StatusCode(ProblemKind kind) => kind switch
    {
        ProblemKind.BadRequest => StatusCodes.Status400BadRequest,
        ProblemKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ProblemKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ProblemKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        ProblemKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ProblemKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IActionResult From(ProblemException problem, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(request);
        if (problem.RetryAfter is { } wait)
        {
            request.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Create(StatusCode(problem.Kind), problem.Type, problem.Title, problem.Detail, request);
    }

    public static IActionResult Create(int status, string type, string title, string detail, HttpRequest request)
    {
        var body = new ProblemBody(TypePrefix + type, title, status, detail, request.Path.Value);
        return new ContentResult
        {
            StatusCode = status,
            ContentType = ContentType,
            Content = JsonSerializer.Serialize(body, Json.Options),
        };
    }

    private sealed record ProblemBody(string Type, string Title, int Status, string Detail, string? Instance);
}
