namespace Pki.Core.Authority;

/// <summary>The CA records; all in one partition, so listing them is a single-partition read.</summary>
public interface IAuthorityStore
{
    Task<CertificateAuthority?> GetAsync(string id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<CertificateAuthority>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds the record; false when one with that id exists already (another instance won the race).</summary>
    Task<bool> TryAddAsync(CertificateAuthority authority, CancellationToken cancellationToken = default);
}
