namespace Pki.Core.Storage;

/// <summary>Where state lives. Bound from <c>Pki:Storage</c>.</summary>
public sealed class StorageOptions
{
    /// <summary>Storage connection string (Azurite locally: its well-known development account). Leave empty in Azure.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Without a connection string: the account's Table endpoint, reached with the app's identity (https://{account}.table.core.windows.net).</summary>
    public string? TableServiceUri { get; set; }

    /// <summary>Without a connection string: the account's Queue endpoint.</summary>
    public string? QueueServiceUri { get; set; }

    /// <summary>Without a connection string: the account's Blob endpoint.</summary>
    public string? BlobServiceUri { get; set; }

    /// <summary>Prefix for every table name, so several deployments or test runs can share one account.</summary>
    public string TablePrefix { get; set; } = string.Empty;
}
