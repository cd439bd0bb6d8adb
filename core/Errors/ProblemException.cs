namespace Pki.Core.Errors;

/// <summary>
/// A refusal with a reason a person can act on. Thrown before anything is stored, so a refused
/// request changes nothing; the HTTP layer renders it as RFC 9457 problem details.
/// </summary>
public sealed class ProblemException : Exception
{
    public ProblemException(ProblemKind kind, string type, string title, string detail)
        : base(detail)
    {
        Kind = kind;
        Type = type;
        Title = title;
        Detail = detail;
    }

    public ProblemKind Kind { get; }

    /// <summary>Short slug naming the problem type, e.g. "weak-key"; the HTTP layer makes it a URI.</summary>
    public string Type { get; }

    public string Title { get; }

    public string Detail { get; }

    public static ProblemException BadRequest(string type, string detail) => new(ProblemKind.BadRequest, type, "The request is malformed", detail);

    public static ProblemException Unprocessable(string type, string detail) => new(ProblemKind.Unprocessable, type, "The request cannot be processed", detail);

    public static ProblemException Forbidden(string type, string detail) => new(ProblemKind.Forbidden, type, "Policy forbids this request", detail);

    /// <summary>How long the caller should wait before retrying (sent as Retry-After); set for rate limits.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    public static ProblemException TooManyRequests(string type, string detail, TimeSpan retryAfter) =>
        new(ProblemKind.TooManyRequests, type, "Too many requests", detail) { RetryAfter = retryAfter };

    public static ProblemException Unauthorized(string type, string detail) => new(ProblemKind.Unauthorized, type, "Authentication required", detail);

    public static ProblemException NotFound(string type, string detail) => new(ProblemKind.NotFound, type, "Not found", detail);

    public static ProblemException Conflict(string type, string detail) => new(ProblemKind.Conflict, type, "Conflict", detail);
}
