namespace Pki.Core.Authority.Approvals;

/// <summary>Start-up checks of <c>Pki:Approvals</c>, each naming the setting (called by <see cref="PkiOptionsValidator"/>).</summary>
public static class ApprovalOptionsValidation
{
    public static void Validate(ApprovalOptions approvals, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(approvals);
        ArgumentNullException.ThrowIfNull(errors);
        if (approvals.PendingHours is < 1 or > ApprovalOptions.MaxPendingHours)
        {
            errors.Add($"{PkiOptions.Section}:Approvals:PendingHours must be between 1 and {ApprovalOptions.MaxPendingHours}; got {approvals.PendingHours}.");
        }
    }
}
