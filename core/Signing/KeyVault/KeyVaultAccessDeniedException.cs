namespace Pki.Core.Signing.KeyVault;

/// <summary>The vault refused the app's identity (HTTP 401 or 403); the message names the vault and the role it lacks.</summary>
public sealed class KeyVaultAccessDeniedException(Uri vaultUri, string keyName, string operation, string permission, int status, string? serviceMessage)
    : UnauthorizedAccessException(
        $"Key Vault {vaultUri} refused to {operation} key '{keyName}' (HTTP {status}{(string.IsNullOrEmpty(serviceMessage) ? "" : ": " + serviceMessage)}). "
        + $"The app's identity needs {permission} on this vault.")
{
    public Uri VaultUri { get; } = vaultUri;

    public int Status { get; } = status;
}
