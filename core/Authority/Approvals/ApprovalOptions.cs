namespace Pki.Core.Authority.Approvals;

/// <summary>The approval workflow: the <c>Pki:Approvals</c> section.</summary>
public sealed class ApprovalOptions
{
    public const int DefaultPendingHours = 72;
    public const int MaxPendingHours = 30 * 24;

    /// <summary>How long a request waits for a decision; after that it is expired and cannot be approved.</summary>
    public int PendingHours { get; set; } = DefaultPendingHours;
}
