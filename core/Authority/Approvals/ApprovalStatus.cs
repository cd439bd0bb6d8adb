namespace Pki.Core.Authority.Approvals;

/// <summary>
/// Where a request that needs approval stands. The only transitions are pending→approved→issued, pending→rejected and
/// pending→expired; each is a conditional write on the version last read, so of two deciders exactly one wins.
/// </summary>
public enum ApprovalStatus
{
    /// <summary>Waiting for an approver; nothing is signed.</summary>
    Pending,

    /// <summary>Approved; the certificate is being issued (the serial is noted before the signature is made).</summary>
    Approved,

    /// <summary>Approved and issued; the request names the certificate's serial.</summary>
    Issued,

    /// <summary>An approver refused it, with a reason.</summary>
    Rejected,

    /// <summary>Nobody decided within <c>Pki:Approvals:PendingHours</c>.</summary>
    Expired,
}
