namespace Pki.Core.Audit;

/// <summary>The chain's storage: one head and the records, in one partition ordered by time then sequence.</summary>
public interface IAuditStore
{
    /// <summary>Null while the chain is empty.</summary>
    /// <exception cref="UnreadableAuditRowException">The head row's properties are missing or of another type than written.</exception>
    Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends the linked records (in chain order, the first linked to <paramref name="expected"/>), the new head and
    /// their once keys in one transaction, conditional on the head being <paramref name="expected"/>: all or nothing.
    /// </summary>
    Task<AppendResult> TryAppendAsync(AuditHead? expected, IReadOnlyList<AuditAppend> appends, CancellationToken cancellationToken = default);

    /// <summary>Which of <paramref name="onceKeys"/> are recorded already.</summary>
    Task<IReadOnlySet<string>> RecordedOnceKeysAsync(IReadOnlyCollection<string> onceKeys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records with from &lt;= time &lt; to in chain order, starting after <paramref name="continuationToken"/>. A row that
    /// cannot be read as written is listed in <see cref="AuditPage.Unreadable"/> and counts towards the limit.
    /// </summary>
    /// <exception cref="Errors.ProblemException">The token is not one this store handed out.</exception>
    Task<AuditPage> QueryAsync(DateTimeOffset from, DateTimeOffset to, int limit, string? continuationToken, CancellationToken cancellationToken = default);

    /// <summary>Every record in chain order, read page by page.</summary>
    /// <exception cref="UnreadableAuditRowException">A record's property is of another type than written; the sequence ends there.</exception>
    IAsyncEnumerable<AuditRecord> ReadAllAsync(CancellationToken cancellationToken = default);
}
