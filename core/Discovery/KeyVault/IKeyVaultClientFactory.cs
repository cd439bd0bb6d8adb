using Azure.Security.KeyVault.Certificates;

namespace Pki.Core.Discovery.KeyVault;

/// <summary>Hands out one <see cref="CertificateClient"/> per vault, so its token and challenge are reused.</summary>
public interface IKeyVaultClientFactory
{
    /// <param name="vaultUri">An absolute https vault URI; only its scheme, host and port count.</param>
    CertificateClient GetCertificateClient(Uri vaultUri);
}
