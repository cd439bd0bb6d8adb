using System.Runtime.CompilerServices;
using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pki.Core.Discovery.KeyVault;

/// <summary>
/// Lists a vault through the Key Vault certificates API: every certificate (not pending ones), the newest
/// versions of each, and each version's DER, yielded one at a time as the pages arrive.
/// </summary>
/// <remarks>
/// A certificate the identity may not read (403) or that went away meanwhile (404) is skipped with a warning;
/// any other failure ends the listing with a <see cref="KeyVaultListingException"/>, since it says the
/// vault as a whole cannot be listed (refused token, no list permission, no answer).
/// </remarks>
public sealed class KeyVaultCertificateSource(
    IKeyVaultClientFactory clients,
    IOptions<DiscoveryOptions> options,
    ILogger<KeyVaultCertificateSource> logger) : IKeyVaultCertificateSource
{
    /// <summary>Oldest first, so the heap's top is the one to drop; the version id breaks ties for a stable pick.</summary>
    private static readonly Comparer<CertificateProperties> NewestLast = Comparer<CertificateProperties>.Create((a, b) =>
    {
        var byCreation = Nullable.Compare(a.CreatedOn, b.CreatedOn);
        return byCreation != 0 ? byCreation : string.CompareOrdinal(a.Version, b.Version);
    });

    public async IAsyncEnumerable<VaultCertificate> ListAsync(Uri vaultUri, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        var maxVersions = options.Value.MaxVersionsPerVaultCertificate;
        if (maxVersions < 1)
        {
            throw new InvalidOperationException($"Pki:Discovery:MaxVersionsPerVaultCertificate must be at least 1; got {maxVersions}.");
        }

        var client = clients.GetCertificateClient(vaultUri);
        int certificates = 0, listed = 0, skipped = 0;

        await using var names = client.GetPropertiesOfCertificatesAsync(includePending: false, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await MoveNextAsync(names, vaultUri, "listing certificates").ConfigureAwait(false))
        {
            certificates++;
            var name = names.Current.Name;
            var versions = await NewestVersionsAsync(client, vaultUri, name, maxVersions, cancellationToken).ConfigureAwait(false);
            if (versions is null)
            {
                skipped++;
                continue;
            }

            // Newest first: the first enabled version is the one the vault serves.
            var served = false;
            foreach (var version in versions)
            {
                var certificate = await GetVersionAsync(client, vaultUri, version, cancellationToken).ConfigureAwait(false);
                if (certificate is null)
                {
                    skipped++;
                    continue;
                }

                listed++;
                var current = !served && certificate.Enabled;
                served |= current;
                yield return certificate with { Current = current };
            }
        }

        logger.LogInformation("Listed {VersionCount} certificate versions of {CertificateCount} certificates in vault {VaultUri}; skipped {SkippedCount} unreadable certificates or versions",
            listed, certificates, vaultUri, skipped);
    }

    /// <summary>The newest versions by creation time, newest first; null when the certificate may not be read.</summary>
    private async Task<List<CertificateProperties>?> NewestVersionsAsync(
        CertificateClient client, Uri vaultUri, string name, int maxVersions, CancellationToken cancellationToken)
    {
        // A min-heap of the newest seen so far: a name with thousands of versions costs pages, not memory.
        var newest = new PriorityQueue<CertificateProperties, CertificateProperties>(NewestLast);
        try
        {
            await foreach (var version in client.GetPropertiesOfCertificateVersionsAsync(name, cancellationToken).ConfigureAwait(false))
            {
                if (string.IsNullOrEmpty(version.Version))
                {
                    continue;
                }

                newest.Enqueue(version, version);
                if (newest.Count > maxVersions)
                {
                    newest.Dequeue();
                }
            }
        }
        catch (RequestFailedException e) when (IsPerCertificate(e))
        {
            LogSkipped(e, vaultUri, name, version: null);
            return null;
        }
        catch (Exception e) when (IsVaultWide(e))
        {
            throw ListingFailed(vaultUri, $"listing the versions of certificate '{name}'", e);
        }

        var ordered = new List<CertificateProperties>(newest.Count);
        while (newest.TryDequeue(out var version, out _))
        {
            ordered.Add(version);
        }

        ordered.Reverse();
        return ordered;
    }

    private async Task<VaultCertificate?> GetVersionAsync(
        CertificateClient client, Uri vaultUri, CertificateProperties version, CancellationToken cancellationToken)
    {
        KeyVaultCertificate certificate;
        try
        {
            certificate = (await client.GetCertificateVersionAsync(version.Name, version.Version, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (IsPerCertificate(e))
        {
            LogSkipped(e, vaultUri, version.Name, version.Version);
            return null;
        }
        catch (Exception e) when (IsVaultWide(e))
        {
            throw ListingFailed(vaultUri, $"reading version '{version.Version}' of certificate '{version.Name}'", e);
        }

        if (certificate.Cer is not { Length: > 0 } der)
        {
            logger.LogWarning("Skipped version {Version} of certificate {CertificateName} in vault {VaultUri}: it holds no certificate",
                version.Version, version.Name, vaultUri);
            return null;
        }

        // The version's own bundle is authoritative; the listing's attributes fill a gap.
        var properties = certificate.Properties;
        return new VaultCertificate(
            vaultUri,
            version.Name,
            version.Version,
            der,
            properties.Enabled ?? version.Enabled ?? true,
            properties.CreatedOn ?? version.CreatedOn,
            properties.UpdatedOn ?? version.UpdatedOn);
    }

    private static async ValueTask<bool> MoveNextAsync(IAsyncEnumerator<CertificateProperties> names, Uri vaultUri, string doing)
    {
        try
        {
            return await names.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (IsVaultWide(e))
        {
            throw ListingFailed(vaultUri, doing, e);
        }
    }

    private static bool IsPerCertificate(RequestFailedException e) => e.Status is 403 or 404;

    /// <summary>
    /// Failures that say the vault cannot be listed: its answers, the credential's, and the SDK refusing to
    /// send a token (plain http, or a challenge whose resource does not match the vault's host).
    /// </summary>
    private static bool IsVaultWide(Exception e) =>
        e is RequestFailedException or AuthenticationFailedException or InvalidOperationException or UriFormatException;

    private void LogSkipped(RequestFailedException e, Uri vaultUri, string name, string? version) =>
        logger.LogWarning("Skipped certificate {CertificateName} version {Version} in vault {VaultUri}: HTTP {Status} {ErrorCode}",
            name, version ?? "(all)", vaultUri, e.Status, e.ErrorCode);

    private static KeyVaultListingException ListingFailed(Uri vaultUri, string doing, Exception e)
    {
        var vault = vaultUri.GetLeftPart(UriPartial.Authority);
        if (e is AuthenticationFailedException)
        {
            return new KeyVaultListingException(vaultUri, 0, $"No token for Key Vault {vault} while {doing}: {e.Message}", e);
        }

        if (e is not RequestFailedException failed)
        {
            return new KeyVaultListingException(vaultUri, 0, $"No token was sent to Key Vault {vault} while {doing}: {e.Message}", e);
        }

        var code = failed.ErrorCode is { Length: > 0 } c ? $" {c}" : "";
        var message = failed.Status switch
        {
            0 => $"Key Vault {vault} could not be reached while {doing}: {failed.Message}",
            401 => $"Key Vault {vault} rejected the credential (HTTP 401{code}) while {doing}; the token must be for https://vault.azure.net in the vault's tenant.",
            403 => $"Key Vault {vault} refused {doing} (HTTP 403{code}); the identity needs the certificates/list and certificates/get permissions.",
            _ => $"Key Vault {vault} answered HTTP {failed.Status}{code} while {doing}.",
        };
        return new KeyVaultListingException(vaultUri, failed.Status, message, e);
    }
}
