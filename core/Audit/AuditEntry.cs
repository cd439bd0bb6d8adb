using Pki.Core.Errors;

namespace Pki.Core.Audit;

/// <summary>
/// What a service appends: the action and its outcome and the ids it touched. The trail adds the sequence,
/// the time, the caller and the hashes.
/// </summary>
public sealed record AuditEntry(string Action, string Outcome)
{
    /// <summary>The problem type of a refusal (e.g. "weak-key").</summary>
    public string? ProblemType { get; init; }

    public string? RequestId { get; init; }

    public string? SerialNumber { get; init; }

    public string? Fingerprint { get; init; }

    public string? TargetId { get; init; }

    /// <summary>A short free text (cut to <see cref="AuditRecord.MaxDetailLength"/> characters).</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// Names the state change, so recording it again (a retry, a redelivered message) appends nothing: the
    /// trail keeps the first record. Null for entries that may repeat.
    /// </summary>
    public string? OnceKey { get; init; }

    public static AuditEntry Succeeded(string action) => new(action, AuditOutcomes.Succeeded);

    public static AuditEntry Refused(string action, ProblemException problem) =>
        new(action, AuditOutcomes.Refused) { ProblemType = problem.Type, Detail = problem.Detail };

    public static AuditEntry Failed(string action, string detail) => new(action, AuditOutcomes.Failed) { Detail = detail };
}
