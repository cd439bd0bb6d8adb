using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Pki.Core.Errors;
using Pki.Core.Signing;

namespace Pki.Core.Authority;

/// <summary>Finds CA records and their signers; both are cached, as they change only at bootstrap.</summary>
public sealed class AuthorityDirectory(IAuthorityStore store, IKeyManager keys, IOptions<PkiOptions> options)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ISigner>>> _signers = new(StringComparer.Ordinal);
    private volatile CertificateAuthority? _issuing;

    public Task<IReadOnlyList<CertificateAuthority>> ListAsync(CancellationToken cancellationToken = default) => store.ListAsync(cancellationToken);

    public async Task<CertificateAuthority> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
        {
            throw ProblemException.NotFound("unknown-ca", "No CA has that id.");
        }

        return await store.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw ProblemException.NotFound("unknown-ca", $"No CA has id '{id}'. GET /api/ca lists them.");
    }

    public async Task<CertificateAuthority> GetIssuingAsync(CancellationToken cancellationToken = default)
    {
        if (_issuing is { } cached)
        {
            return cached;
        }

        var id = options.Value.Ca.IssuingId;
        var issuing = await store.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new ProblemException(ProblemKind.Unavailable, "ca-not-ready", "The CA is not ready", $"Issuing CA '{id}' has not been bootstrapped yet; retry shortly.");
        return _issuing = issuing;
    }

    public Task<ISigner> GetSignerAsync(CertificateAuthority authority, CancellationToken cancellationToken = default) =>
        _signers.GetOrAdd(authority.Id, _ => new Lazy<Task<ISigner>>(
            () => keys.CreateSignerAsync(new CreateSignerRequest(authority.KeyUri, authority.Scheme), CancellationToken.None))).Value;
}
