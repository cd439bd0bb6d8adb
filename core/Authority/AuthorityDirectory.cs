using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Pki.Core.Errors;
using Pki.Core.Signing;

namespace Pki.Core.Authority;

/// <summary>Finds CA records and their signers; both are cached, as they change only at bootstrap.</summary>
public sealed class AuthorityDirectory(IAuthorityStore store, IKeyManager keys, IOptions<PkiOptions> options)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ISigner>>> _signers = new(StringComparer.Ordinal);

    // A CA record never changes once written, so a found one is kept; misses are not cached.
    private readonly ConcurrentDictionary<string, CertificateAuthority> _authorities = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<CertificateAuthority>> ListAsync(CancellationToken cancellationToken = default) => store.ListAsync(cancellationToken);

    public async Task<CertificateAuthority> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
        {
            throw ProblemException.NotFound("unknown-ca", "No CA has that id.");
        }

        return await FindAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw ProblemException.NotFound("unknown-ca", $"No CA has id '{id}'. GET /api/ca lists them.");
    }

    public async Task<CertificateAuthority> GetIssuingAsync(CancellationToken cancellationToken = default)
    {
        var id = options.Value.Ca.IssuingId;
        return await FindAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new ProblemException(ProblemKind.Unavailable, "ca-not-ready", "The CA is not ready", $"Issuing CA '{id}' has not been bootstrapped yet; retry shortly.");
    }

    private async Task<CertificateAuthority?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (_authorities.TryGetValue(id, out var cached))
        {
            return cached;
        }

        var found = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return found is null ? null : _authorities.GetOrAdd(id, found);
    }

    public Task<ISigner> GetSignerAsync(CertificateAuthority authority, CancellationToken cancellationToken = default) =>
        _signers.GetOrAddRetryingFaults(authority.Id, _ => keys.CreateSignerAsync(new CreateSignerRequest(authority.KeyUri, authority.Scheme), CancellationToken.None))
            .WaitAsync(cancellationToken);
}
