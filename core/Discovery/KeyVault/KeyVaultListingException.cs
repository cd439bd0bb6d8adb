namespace Pki.Core.Discovery.KeyVault;

/// <summary>A vault could not be listed at all: refused credential, missing permission or no answer.</summary>
public sealed class KeyVaultListingException(Uri vaultUri, int status, string message, Exception innerException)
    : Exception(message, innerException)
{
    public Uri VaultUri { get; } = vaultUri;

    /// <summary>The HTTP status the vault answered, or 0 when it did not answer or no token was had.</summary>
    public int Status { get; } = status;
}
