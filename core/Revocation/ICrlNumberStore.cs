namespace Pki.Core.Revocation;

/// <summary>One monotonic CRL number sequence per CA, shared by its complete, shard and delta CRLs.</summary>
public interface ICrlNumberStore
{
    /// <summary>Allocates the next number; concurrent callers never get the same one.</summary>
    Task<long> NextAsync(string issuerId, CancellationToken cancellationToken = default);
}
