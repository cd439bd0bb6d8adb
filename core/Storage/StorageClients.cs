using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Pki.Core.Storage;

/// <summary>
/// The account's service clients: from the connection string where one is set (Azurite, or a key-based
/// account), otherwise from the service endpoints with the app's identity, as in Azure, where the account
/// allows no shared keys.
/// </summary>
public static class StorageClients
{
    public static TableServiceClient Tables(StorageOptions options, TokenCredential? credential)
    {
        var tableOptions = StorageMetrics.Counted(new TableClientOptions(), "table");
        return UsesConnectionString(options)
            ? new TableServiceClient(options.ConnectionString, tableOptions)
            : new TableServiceClient(Endpoint(options.TableServiceUri, nameof(options.TableServiceUri)), Require(credential), tableOptions);
    }

    public static QueueServiceClient Queues(StorageOptions options, TokenCredential? credential)
    {
        // Base64, as the Functions host's queue trigger expects by default.
        var queueOptions = StorageMetrics.Counted(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }, "queue");
        return UsesConnectionString(options)
            ? new QueueServiceClient(options.ConnectionString, queueOptions)
            : new QueueServiceClient(Endpoint(options.QueueServiceUri, nameof(options.QueueServiceUri)), Require(credential), queueOptions);
    }

    public static BlobServiceClient Blobs(StorageOptions options, TokenCredential? credential)
    {
        var blobOptions = StorageMetrics.Counted(new BlobClientOptions(), "blob");
        return UsesConnectionString(options)
            ? new BlobServiceClient(options.ConnectionString, blobOptions)
            : new BlobServiceClient(Endpoint(options.BlobServiceUri, nameof(options.BlobServiceUri)), Require(credential), blobOptions);
    }

    public static bool UsesConnectionString(StorageOptions options) => !string.IsNullOrWhiteSpace(options.ConnectionString);

    private static Uri Endpoint(string? uri, string setting) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var endpoint)
            ? endpoint
            : throw new InvalidOperationException($"{PkiOptions.Section}:Storage:{setting} is required when no connection string is set.");

    private static TokenCredential Require(TokenCredential? credential) =>
        credential ?? throw new InvalidOperationException("Identity-based storage endpoints need a TokenCredential (the app's managed identity).");
}
