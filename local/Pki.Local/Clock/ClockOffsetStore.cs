using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pki.Local.Timers;

namespace Pki.Local.Clock;

/// <summary>
/// Keeps the dev clock's offset beside the state written under it, in the blob
/// <c>azure-webjobs-hosts/clock/pki-local-{prefix}/offset</c> of the storage account: a host started again on that
/// storage (local/run after a restart) reads it, so certificates, renewal days and notice rows written at a moved time
/// do not suddenly lie in the future. Without a storage account nothing is kept.
/// </summary>
public sealed class ClockOffsetStore
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly BlobContainerClient? _container;
    private readonly string _blobName;

    /// <param name="container">The container of the host's own blobs; null when no storage account is configured.</param>
    /// <param name="prefix">Pki:Storage:TablePrefix, which keeps hosts of other deployments and test runs apart.</param>
    public ClockOffsetStore(BlobContainerClient? container, string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        _container = container;
        _blobName = BlobName(prefix);
    }

    public bool IsConfigured => _container is not null;

    public static ClockOffsetStore Create(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var storage = TimerLeases.StorageOf(services);
        return new ClockOffsetStore(TimerLeases.ContainerOf(storage, services), storage.TablePrefix);
    }

    public static string BlobName(string prefix) => $"clock/{TimerLeases.HostId(prefix)}/offset";

    /// <summary>The offset kept, or zero when none was (or no storage is configured).</summary>
    public async Task<TimeSpan> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_container is null)
        {
            return TimeSpan.Zero;
        }

        try
        {
            var content = (await _container.GetBlobClient(_blobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            return TimeSpan.FromTicks(content.ToObjectFromJson<StoredOffset>(JsonOptions)?.OffsetTicks ?? 0);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobNotFound.ToString() || e.ErrorCode == BlobErrorCode.ContainerNotFound.ToString())
        {
            return TimeSpan.Zero;
        }
    }

    public async Task WriteAsync(TimeSpan offset, CancellationToken cancellationToken = default)
    {
        if (_container is null)
        {
            return;
        }

        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var stored = new StoredOffset(offset.Ticks, IsoDuration.Format(offset));
        await _container.GetBlobClient(_blobName).UploadAsync(BinaryData.FromObjectAsJson(stored, JsonOptions), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ticks to read back exactly; the ISO 8601 form for a person looking at the blob.</summary>
    private sealed record StoredOffset(long OffsetTicks, string? Offset);
}
