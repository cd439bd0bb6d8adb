namespace Pki.Core.Audit;

/// <summary>Where the result of the last chain verification is kept, for the dashboard's health strip.</summary>
public interface IAuditCheckStore
{
    Task SaveAsync(AuditCheck check, CancellationToken cancellationToken = default);

    /// <summary>The last verification's result, or null when the chain was never verified.</summary>
    Task<AuditCheck?> GetLastAsync(CancellationToken cancellationToken = default);
}
