namespace Pki.Core.Revocation;

/// <summary>Published CRLs (Blob Storage): the last one of each kind, replaced only by a higher CRL number.</summary>
public interface ICrlStore
{
    Task<CrlInfo?> GetInfoAsync(CrlId id, CancellationToken cancellationToken = default);

    /// <summary>Stores the CRL unless one with an equal or higher number is already there; says whether it did.</summary>
    Task<bool> TryPublishAsync(CrlId id, ReadOnlyMemory<byte> der, CrlInfo info, CancellationToken cancellationToken = default);

    /// <summary>The stored CRL to stream to a caller, or null.</summary>
    Task<StoredCrl?> OpenAsync(CrlId id, CancellationToken cancellationToken = default);
}

/// <summary>A published CRL being read; dispose it to release the download.</summary>
public sealed record StoredCrl(CrlInfo Info, Stream Content) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
