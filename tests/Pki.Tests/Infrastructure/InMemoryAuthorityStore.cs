using System.Collections.Concurrent;
using Pki.Core.Authority;

namespace Pki.Tests.Infrastructure;

/// <summary>A per-test fake implementing only the authority store contract.</summary>
public sealed class InMemoryAuthorityStore : IAuthorityStore
{
    private readonly ConcurrentDictionary<string, CertificateAuthority> _items = new();

    public Task<CertificateAuthority?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_items.GetValueOrDefault(id));

    public Task<IReadOnlyList<CertificateAuthority>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<CertificateAuthority>>([.. _items.Values]);

    public Task<bool> TryAddAsync(CertificateAuthority authority, CancellationToken cancellationToken = default) =>
        Task.FromResult(_items.TryAdd(authority.Id, authority));
}
