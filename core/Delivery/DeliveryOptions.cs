namespace Pki.Core.Delivery;

/// <summary>Delivery of certificates to where they are used (<c>Pki:Delivery</c>).</summary>
public sealed class DeliveryOptions
{
    /// <summary>
    /// The vaults certificates may be delivered to, e.g. https://team-kv.vault.azure.net/. The app's identity holds
    /// Key Vault Certificates Officer on exactly these (infra/ grants it from the same list); a target elsewhere is refused.
    /// </summary>
    public List<string> KeyVaults { get; set; } = [];

    /// <summary>
    /// Vaults of one team (team name to vault URIs): only that team's certificates are delivered there, whoever asks.
    /// Use these for teams' own vaults; <see cref="KeyVaults"/> for vaults every team may use.
    /// </summary>
    public Dictionary<string, List<string>> TeamVaults { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Profiles whose Key Vault renewals keep the key (Key Vault's reuse_key); every other renewal makes a new key in the vault.</summary>
    public List<string> ReuseKeyProfiles { get; set; } = [];

    /// <summary>The first wait after a vault refused or did not answer; it doubles with every attempt.</summary>
    public int RetryDelaySeconds { get; set; } = 60;

    /// <summary>The longest wait between two attempts.</summary>
    public int MaxRetryDelaySeconds { get; set; } = 3600;

    /// <summary>After this many failed attempts the operation is cancelled in the vault and the owner told to act.</summary>
    public int MaxAttempts { get; set; } = 24;

    /// <summary>How long one host holds an operation while it works on it; another host may resume it afterwards.</summary>
    public int LeaseSeconds { get; set; } = 120;
}
