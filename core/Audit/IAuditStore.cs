namespace Pki.Core.Audit;

/// <summary>The chain's storage: one head and the records, in one partition ordered by time then sequence.</summary>
public interface IAuditStore
{
    /// <summary>Null while the chain is empty.</summary>
    Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="record"/>, the head that now names it and, when given, the once key, all or
    /// nothing, and only if the head is still <paramref name="expected"/> (null: the chain is still empty).
    /// </summary>
    Task<AppendResult> TryAppendAsync(AuditHead? expected, AuditRecord record, string? onceKey, CancellationToken cancellationToken = default);

    /// <summary>Records with from &lt;= time &lt; to in chain order, starting after <paramref name="continuationToken"/>.</summary>
    /// <exception cref="Errors.ProblemException">The token is not one this store handed out.</exception>
    Task<AuditPage> QueryAsync(DateTimeOffset from, DateTimeOffset to, int limit, string? continuationToken, CancellationToken cancellationToken = default);

    /// <summary>Every record in chain order, read page by page.</summary>
    IAsyncEnumerable<AuditRecord> ReadAllAsync(CancellationToken cancellationToken = default);
}
