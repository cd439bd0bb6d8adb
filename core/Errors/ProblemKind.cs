namespace Pki.Core.Errors;

/// <summary>What went wrong, in terms a caller can act on; the HTTP layer maps each to a status code.</summary>
public enum ProblemKind
{
    /// <summary>The input is malformed (not JSON, not a CSR, a broken signature).</summary>
    BadRequest,

    /// <summary>The body is larger than the configured limit.</summary>
    PayloadTooLarge,

    /// <summary>The body has a media type we do not accept.</summary>
    UnsupportedMediaType,

    /// <summary>Well-formed, but not acceptable (unknown profile, weak key, missing owner).</summary>
    Unprocessable,

    /// <summary>The caller did not prove who it is (no credentials, or credentials we do not accept).</summary>
    Unauthorized,

    /// <summary>The caller sent too many requests; retry after the time the problem names.</summary>
    TooManyRequests,

    /// <summary>Policy forbids what was asked (a name outside the allowed name spaces).</summary>
    Forbidden,

    /// <summary>No such resource.</summary>
    NotFound,

    /// <summary>The request conflicts with one already made (same idempotency key, other body; still in progress).</summary>
    Conflict,

    /// <summary>The service cannot serve this now (CA not bootstrapped); retry later.</summary>
    Unavailable,
}
