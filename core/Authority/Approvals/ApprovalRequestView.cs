namespace Pki.Core.Authority.Approvals;

/// <summary>A request held for approval as the API shows it: enough for an approver to judge what would be signed.</summary>
public sealed record ApprovalRequestView(
    string RequestId,
    string Status,
    string Profile,
    string Team,
    string Owner,
    string RequestedBy,
    string? CommonName,
    IReadOnlyList<string> Names,
    int? ValidityDays,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? Reason,
    string? SerialNumber,
    IReadOnlyList<ResponseWarning>? Warnings = null);
