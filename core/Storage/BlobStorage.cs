using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace Pki.Core.Storage;

/// <summary>Hands out the CRL container, creating it once per process on first use.</summary>
public sealed class BlobStorage
{
    private readonly BlobContainerClient _crls;
    private readonly Lazy<Task<BlobContainerClient>> _created;

    public BlobStorage(IOptions<PkiOptions> options, TokenCredential? credential = null)
    {
        var storage = options.Value.Storage;
        _crls = StorageClients.Blobs(storage, credential).GetBlobContainerClient(storage.TablePrefix.ToLowerInvariant() + TableNames.CrlContainer);
        _created = new Lazy<Task<BlobContainerClient>>(CreateAsync);
    }

    public Task<BlobContainerClient> GetCrlContainerAsync(CancellationToken cancellationToken = default) =>
        _created.Value.WaitAsync(cancellationToken);

    private async Task<BlobContainerClient> CreateAsync()
    {
        await _crls.CreateIfNotExistsAsync().ConfigureAwait(false);
        return _crls;
    }
}
