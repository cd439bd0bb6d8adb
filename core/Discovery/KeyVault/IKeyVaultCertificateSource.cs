namespace Pki.Core.Discovery.KeyVault;

/// <summary>Lists every version of every certificate in a vault.</summary>
public interface IKeyVaultCertificateSource
{
    IAsyncEnumerable<VaultCertificate> ListAsync(Uri vaultUri, CancellationToken cancellationToken);
}
