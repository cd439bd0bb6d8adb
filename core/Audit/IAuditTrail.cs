namespace Pki.Core.Audit;

/// <summary>Appends to the tamper-evident audit trail; every state change calls this once.</summary>
public interface IAuditTrail
{
    /// <summary>
    /// Appends <paramref name="entry"/> as the current caller, retrying lost races for the head. Returns the
    /// record, or null when the entry's once key was recorded before. Throws when it cannot append: the
    /// caller must not report success for a change the trail does not hold.
    /// </summary>
    Task<AuditRecord?> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default);
}
