using Pki.Core.Errors;

namespace Pki.Core.Acme;

/// <summary>
/// An ACME refusal: an RFC 8555 §6.7 error type (<see cref="AcmeErrors"/>) and a detail a person can act on. Thrown
/// before anything is stored; the HTTP layer renders it as a problem document whose type is the ACME URN.
/// </summary>
public sealed class AcmeProblemException(ProblemKind kind, string acmeType, string detail) : Exception(detail)
{
    public ProblemKind Kind { get; } = kind;

    /// <summary>The error type without its prefix, e.g. <c>badNonce</c>.</summary>
    public string AcmeType { get; } = acmeType;

    public string Detail { get; } = detail;

    public string TypeUri => AcmeErrors.Prefix + AcmeType;

    public static AcmeProblemException Malformed(string detail) => new(ProblemKind.BadRequest, AcmeErrors.Malformed, detail);

    public static AcmeProblemException Unauthorized(string detail) => new(ProblemKind.Forbidden, AcmeErrors.Unauthorized, detail);

    public static AcmeProblemException BadNonce(string detail) => new(ProblemKind.BadRequest, AcmeErrors.BadNonce, detail);

    public static AcmeProblemException NotFound(string detail) => new(ProblemKind.NotFound, AcmeErrors.Malformed, detail);

    /// <summary>
    /// A refusal of the shared pipeline (policy, grants, CSR checks) in ACME's terms: a name the team is not granted or
    /// policy refuses is a rejected identifier, a key or CSR problem a bad CSR, a rate limit a rate limit; the detail is kept.
    /// </summary>
    public static AcmeProblemException From(ProblemException problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var type = problem.Kind switch
        {
            ProblemKind.TooManyRequests => AcmeErrors.RateLimited,
            ProblemKind.Unauthorized => AcmeErrors.Unauthorized,
            ProblemKind.NotFound => AcmeErrors.Malformed,
            _ when problem.Type is "name-not-granted" or "name-not-allowed" or "invalid-dns-name" or "ipv4-mapped-address" => AcmeErrors.RejectedIdentifier,
            ProblemKind.Forbidden => AcmeErrors.Unauthorized,
            _ => AcmeErrors.BadCsr,
        };
        return new AcmeProblemException(problem.Kind, type, problem.Detail) { RetryAfter = problem.RetryAfter };
    }

    /// <summary>Sent as Retry-After (rate limits).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Sent as Location (keyChange's 409: the account that holds the new key).</summary>
    public string? Location { get; init; }
}
