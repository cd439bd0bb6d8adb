using Pki.Core.Signing;

namespace Pki.Tests.Infrastructure;

/// <summary>Counts signatures, to prove when a retry did or did not sign again.</summary>
public sealed class CountingKeyManager(IKeyManager inner) : IKeyManager
{
    public int Signatures;

    /// <summary>When set, signing throws this (nothing is signed), as an HSM that fails would.</summary>
    public Exception? FailSigning { get; set; }

    public string Provider => inner.Provider;

    public Task<KeyDescription> CreateKeyAsync(CreateKeyRequest request, CancellationToken cancellationToken = default) => inner.CreateKeyAsync(request, cancellationToken);

    public Task<KeyDescription?> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken = default) => inner.GetPublicKeyAsync(request, cancellationToken);

    public async Task<ISigner> CreateSignerAsync(CreateSignerRequest request, CancellationToken cancellationToken = default) =>
        new Counting(await inner.CreateSignerAsync(request, cancellationToken), this);

    private sealed class Counting(ISigner inner, CountingKeyManager owner) : ISigner
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
            return inner.Sign(data);
        }
    }
}
