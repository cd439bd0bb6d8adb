using System.Collections.Concurrent;
using Pki.Core.Signing;

namespace Pki.Tests.Infrastructure;

/// <summary>Counts signatures, in all and by key, to prove when a retry did or did not sign again.</summary>
public sealed class CountingKeyManager(IKeyManager inner) : IKeyManager
{
    public int Signatures;

    private readonly ConcurrentDictionary<KeyUri, int> _byKey = new();

    /// <summary>When set, signing throws this (nothing is signed), as an HSM that fails would.</summary>
    public Exception? FailSigning { get; set; }

    public string Provider => inner.Provider;

    /// <summary>Signatures made with one key so far.</summary>
    public int SignaturesWith(KeyUri key) => _byKey.GetValueOrDefault(key);

    public Task<KeyDescription> CreateKeyAsync(CreateKeyRequest request, CancellationToken cancellationToken = default) => inner.CreateKeyAsync(request, cancellationToken);

    public Task<KeyDescription?> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken = default) => inner.GetPublicKeyAsync(request, cancellationToken);

    public async Task<ISigner> CreateSignerAsync(CreateSignerRequest request, CancellationToken cancellationToken = default) =>
        new Counting(await inner.CreateSignerAsync(request, cancellationToken), request.KeyUri, this);

    private sealed class Counting(ISigner inner, KeyUri key, CountingKeyManager owner) : ISigner
    {
        public KeyDescription Key => inner.Key;

        public SignatureScheme Scheme => inner.Scheme;

        public byte[] Sign(ReadOnlySpan<byte> data)
        {
            if (owner.FailSigning is { } failure)
            {
                throw failure;
            }

            Interlocked.Increment(ref owner.Signatures);
            owner._byKey.AddOrUpdate(key, 1, (_, count) => count + 1);
            return inner.Sign(data);
        }
    }
}
