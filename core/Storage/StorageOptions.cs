namespace Pki.Core.Storage;

/// <summary>Where state lives. Bound from <c>Pki:Storage</c>.</summary>
public sealed class StorageOptions
{
    /// <summary>Storage connection string (Azurite locally: its well-known development account).</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Prefix for every table name, so several deployments or test runs can share one account.</summary>
    public string TablePrefix { get; set; } = string.Empty;
}
