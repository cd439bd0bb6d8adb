using System.Collections.Concurrent;
using Azure.Core;
using Azure.Security.KeyVault.Certificates;

namespace Pki.Core.Discovery.KeyVault;

/// <summary>
/// Certificate clients on one credential (in Azure a managed identity), cached by vault.
/// </summary>
/// <remarks>
/// The default <see cref="CertificateClientOptions"/> keep the SDK's challenge resource verification on: a
/// vault whose host does not end in the challenge's resource domain (<c>.vault.azure.net</c>) never receives
/// a token. Only a test against a loopback double turns it off.
/// </remarks>
public sealed class KeyVaultClientFactory : IKeyVaultClientFactory
{
    private readonly TokenCredential _credential;
    private readonly CertificateClientOptions _clientOptions;
    private readonly ConcurrentDictionary<string, CertificateClient> _clients = new(StringComparer.OrdinalIgnoreCase);

    public KeyVaultClientFactory(TokenCredential credential, CertificateClientOptions? clientOptions = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        _credential = credential;
        _clientOptions = clientOptions ?? new CertificateClientOptions();
    }

    public CertificateClient GetCertificateClient(Uri vaultUri)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        if (!vaultUri.IsAbsoluteUri || vaultUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"A vault URI must be an absolute https URI; got '{vaultUri}'.", nameof(vaultUri));
        }

        // The vault is the authority; a trailing path or a different spelling of the host is the same vault.
        var vault = vaultUri.GetLeftPart(UriPartial.Authority);
        return _clients.GetOrAdd(vault, v => new CertificateClient(new Uri(v), _credential, _clientOptions));
    }
}
