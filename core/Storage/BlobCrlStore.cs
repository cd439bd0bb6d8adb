using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pki.Core.Revocation;

namespace Pki.Core.Storage;

/// <summary>
/// One blob per CRL ("{caId}/full.crl", "{caId}/delta.crl", "{caId}/shard-{n}.crl") with its facts in
/// blob metadata. A write is conditional on the blob's ETag, so a lower CRL number never replaces a higher one.
/// </summary>
public sealed class BlobCrlStore(BlobStorage storage) : ICrlStore
{
    private const string Number = "crlnumber";
    private const string ThisUpdate = "thisupdate";
    private const string NextUpdate = "nextupdate";
    private const string CoversUntil = "coversuntil";
    private const string Entries = "entries";
    private const string BaseNumber = "basecrlnumber";

    public async Task<CrlInfo?> GetInfoAsync(CrlId id, CancellationToken cancellationToken = default)
    {
        var blob = await BlobAsync(id, cancellationToken).ConfigureAwait(false);
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return InfoOf(properties.Value.Metadata, properties.Value.ContentLength);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> TryPublishAsync(CrlId id, ReadOnlyMemory<byte> der, CrlInfo info, CancellationToken cancellationToken = default)
    {
        var blob = await BlobAsync(id, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            BlobRequestConditions conditions;
            try
            {
                var current = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                if (InfoOf(current.Value.Metadata, current.Value.ContentLength) is { } existing && existing.CrlNumber >= info.CrlNumber)
                {
                    return false;
                }

                conditions = new BlobRequestConditions { IfMatch = current.Value.ETag };
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                conditions = new BlobRequestConditions { IfNoneMatch = ETag.All };
            }

            try
            {
                await blob.UploadAsync(BinaryData.FromBytes(der), new BlobUploadOptions
                {
                    Conditions = conditions,
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/pkix-crl" },
                    Metadata = MetadataOf(info),
                }, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Another publisher wrote between our read and our write; compare numbers again.
            }
        }
    }

    public async Task<StoredCrl?> OpenAsync(CrlId id, CancellationToken cancellationToken = default)
    {
        var blob = await BlobAsync(id, cancellationToken).ConfigureAwait(false);
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var details = download.Value.Details;
            var info = InfoOf(details.Metadata, details.ContentLength);
            if (info is null)
            {
                await download.Value.Content.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            return new StoredCrl(info, download.Value.Content);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private async Task<BlobClient> BlobAsync(CrlId id, CancellationToken cancellationToken)
    {
        var container = await storage.GetCrlContainerAsync(cancellationToken).ConfigureAwait(false);
        return container.GetBlobClient(id + ".crl");
    }

    private static Dictionary<string, string> MetadataOf(CrlInfo info)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Number] = info.CrlNumber.ToString(CultureInfo.InvariantCulture),
            [ThisUpdate] = info.ThisUpdate.ToString("O", CultureInfo.InvariantCulture),
            [NextUpdate] = info.NextUpdate.ToString("O", CultureInfo.InvariantCulture),
            [CoversUntil] = info.CoversUntil.ToString("O", CultureInfo.InvariantCulture),
            [Entries] = info.Entries.ToString(CultureInfo.InvariantCulture),
        };
        if (info.BaseCrlNumber is { } baseNumber)
        {
            metadata[BaseNumber] = baseNumber.ToString(CultureInfo.InvariantCulture);
        }

        return metadata;
    }

    private static CrlInfo? InfoOf(IDictionary<string, string> metadata, long length)
    {
        if (!metadata.TryGetValue(Number, out var number))
        {
            return null;
        }

        return new CrlInfo(
            long.Parse(number, CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(metadata[ThisUpdate], CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(metadata[NextUpdate], CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(metadata[CoversUntil], CultureInfo.InvariantCulture),
            int.Parse(metadata[Entries], CultureInfo.InvariantCulture),
            metadata.TryGetValue(BaseNumber, out var b) ? long.Parse(b, CultureInfo.InvariantCulture) : null,
            length);
    }
}
