namespace Pki.Core.Acme;

/// <summary>
/// What ACME keeps: the nonce key and used nonces, accounts and the index of their keys, EAB credentials, orders,
/// authorizations, and which account and order each certificate came from. Every access is a point read or write; a
/// <c>TryReplace</c> is conditional on the version read, a <c>TryAdd</c> on the key being free.
/// </summary>
public interface IAcmeStore
{
    /// <summary>The key every host MACs nonces with: the stored one, or <paramref name="candidate"/> when none was stored (first writer wins).</summary>
    Task<byte[]> GetOrAddNonceKeyAsync(byte[] candidate, CancellationToken cancellationToken = default);

    /// <summary>Records the nonce as used; true for exactly one caller however many hosts try (a conditional insert).</summary>
    Task<bool> TryUseNonceAsync(string nonce, DateTimeOffset issuedAt, CancellationToken cancellationToken = default);

    /// <summary>Deletes the records of nonces issued before <paramref name="hour"/>; returns how many.</summary>
    Task<int> DeleteUsedNoncesBeforeAsync(DateTimeOffset hour, CancellationToken cancellationToken = default);

    Task<Versioned<AcmeAccount>?> GetAccountAsync(string id, CancellationToken cancellationToken = default);

    Task<string?> FindAccountIdByKeyAsync(string thumbprint, CancellationToken cancellationToken = default);

    Task AddAccountAsync(AcmeAccount account, CancellationToken cancellationToken = default);

    /// <summary>Claims the key for the account; false when another account holds it.</summary>
    Task<bool> TryAddAccountKeyAsync(string thumbprint, string accountId, CancellationToken cancellationToken = default);

    /// <summary>Removes the key's index row if it names <paramref name="accountId"/> (conditionally on the row read); true when removed or absent.</summary>
    Task<bool> TryRemoveAccountKeyAsync(string thumbprint, string accountId, CancellationToken cancellationToken = default);

    Task DeleteAccountAsync(string id, CancellationToken cancellationToken = default);

    Task<bool> TryReplaceAccountAsync(AcmeAccount account, string version, CancellationToken cancellationToken = default);

    Task<bool> TryAddEabAsync(EabCredential credential, CancellationToken cancellationToken = default);

    Task<Versioned<EabCredential>?> GetEabAsync(string kid, CancellationToken cancellationToken = default);

    Task<bool> TryReplaceEabAsync(EabCredential credential, string version, CancellationToken cancellationToken = default);

    /// <summary>A team's credentials (one partition of the team index).</summary>
    Task<IReadOnlyList<EabCredential>> ListEabAsync(string team, CancellationToken cancellationToken = default);

    Task AddAuthorizationAsync(AcmeAuthorization authorization, CancellationToken cancellationToken = default);

    Task<Versioned<AcmeAuthorization>?> GetAuthorizationAsync(string id, CancellationToken cancellationToken = default);

    Task<bool> TryReplaceAuthorizationAsync(AcmeAuthorization authorization, string version, CancellationToken cancellationToken = default);

    Task AddOrderAsync(AcmeOrder order, CancellationToken cancellationToken = default);

    Task<Versioned<AcmeOrder>?> GetOrderAsync(string id, CancellationToken cancellationToken = default);

    Task<bool> TryReplaceOrderAsync(AcmeOrder order, string version, CancellationToken cancellationToken = default);

    /// <summary>Records that <paramref name="serialNumber"/> was issued for the order of the account (idempotent).</summary>
    Task RecordCertificateAsync(string serialNumber, string accountId, string orderId, CancellationToken cancellationToken = default);

    /// <summary>The account and order a certificate was issued for, or null when ACME did not issue it.</summary>
    /// <summary>Marks the certificate replaced by <paramref name="orderId"/>; false when another order replaced it first.</summary>
    Task<bool> TryMarkReplacedAsync(string serialNumber, string orderId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the certificate for early renewal at <paramref name="at"/> unless it is marked already (the first mark
    /// stays); the record as stored, or null when ACME did not issue the certificate.
    /// </summary>
    Task<AcmeIssuedCertificate?> TryMarkRenewEarlyAsync(string serialNumber, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Records an early renewal of a whole scope (<see cref="AcmeEarlyRenewal.AuthorityScope"/>, <see cref="AcmeEarlyRenewal.TeamScope"/>): one row, the latest time wins.</summary>
    Task SetRenewEarlyScopeAsync(string scope, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task<DateTimeOffset?> GetRenewEarlyScopeAsync(string scope, CancellationToken cancellationToken = default);

    Task<AcmeIssuedCertificate?> FindCertificateAsync(string serialNumber, CancellationToken cancellationToken = default);
}
