using Pki.Core.Errors;

namespace Pki.Core.Delivery;

/// <summary>
/// Where a certificate is delivered: a Key Vault certificate, which App Service, Front Door, Application Gateway,
/// API Management and the AKS secrets store CSI driver bind by name and whose newest version they pick up.
/// </summary>
public sealed record KeyVaultTarget(Uri VaultUri, string CertificateName)
{
    /// <summary>Key Vault's bound for an object name.</summary>
    public const int MaxNameLength = 127;

    /// <summary>The certificate's address without a version, as App Service and Front Door are given it.</summary>
    public string Id => $"{VaultUri.GetLeftPart(UriPartial.Authority)}/certificates/{CertificateName}";

    /// <summary>The vault certificate as the inventory names a location (<c>vault-host/certificates/name</c>; a sweep adds <c>/version</c>).</summary>
    public string Location => $"{VaultUri.Authority}/certificates/{CertificateName}";

    /// <summary>A target from what a caller sent: an absolute https vault URI (its authority only counts) and a Key Vault object name.</summary>
    /// <exception cref="ProblemException">400 invalid-delivery-target naming the field.</exception>
    public static KeyVaultTarget Parse(string? vaultUri, string? certificateName)
    {
        if (string.IsNullOrWhiteSpace(vaultUri) || vaultUri.Length > 2048
            || !Uri.TryCreate(vaultUri.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
            || uri.HostNameType is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6) || !string.IsNullOrEmpty(uri.Query) || uri.AbsolutePath != "/")
        {
            throw ProblemException.BadRequest("invalid-delivery-target", "'vaultUri' must be a vault's https URI, e.g. https://team-kv.vault.azure.net/.");
        }

        if (string.IsNullOrEmpty(certificateName) || certificateName.Length > MaxNameLength || !certificateName.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw ProblemException.BadRequest("invalid-delivery-target", $"'certificateName' must be 1 to {MaxNameLength} ASCII letters, digits and hyphens, as Key Vault names objects.");
        }

        return new KeyVaultTarget(new Uri(uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + "/"), certificateName);
    }
}
