namespace Pki.Core.Authority.Approvals;

/// <summary>
/// A request held for approval: what was asked (the caller's input, with the team settled at submission), who asked,
/// and where it got to. The requester's team and roles are kept as they were at submission: policy runs again at
/// approval as that requester, so an approver's wider rights never widen what the requester may obtain. <see cref="Version"/> is the store's concurrency tag; every transition is conditional on it.
/// </summary>
/// <param name="PredecessorSerial">For a successor held for approval (a Key Vault renewal): the certificate it renews, linked before the signature.</param>
public sealed record ApprovalRecord(
    string RequestId,
    CertificateRequestInput Input,
    string Team,
    string RequesterId,
    string? RequesterTeam,
    IReadOnlyList<string> RequesterRoles,
    string? CommonName,
    IReadOnlyList<string> Names,
    string BodyHash,
    ApprovalStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? DecidedBy = null,
    DateTimeOffset? DecidedAt = null,
    string? Reason = null,
    string? SerialNumber = null,
    string? Version = null,
    string? PredecessorSerial = null)
{
    /// <summary>A pending request past its time: shown and treated as expired even before the store says so.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => Status == ApprovalStatus.Pending && now >= ExpiresAt;
}
