using Azure.Core;

namespace Pki.Core.Signing.KeyVault;

/// <summary>
/// Pipeline settings of <see cref="KeyVaultKeysClient"/>. Retries are generous on purpose: Key Vault
/// throttles with 429 and Retry-After, and an issuance that can wait a minute should wait, not fail.
/// </summary>
public sealed class KeyVaultKeysClientOptions : ClientOptions
{
    /// <summary>The Key Vault data-plane version we speak; 7.5 has every operation we use.</summary>
    public const string DefaultServiceVersion = "7.5";

    public KeyVaultKeysClientOptions()
    {
        // Exponential from 1 s, capped at 60 s per wait; Azure.Core waits at least what Retry-After asks.
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 6;
        Retry.Delay = TimeSpan.FromSeconds(1);
        Retry.MaxDelay = TimeSpan.FromSeconds(60);
    }

    public string ServiceVersion { get; set; } = DefaultServiceVersion;

    /// <summary>
    /// Skips the check that the challenge's resource is the vault's own domain. Only for test doubles on
    /// loopback; it is deliberately not a configuration setting.
    /// </summary>
    public bool DisableChallengeResourceVerification { get; set; }
}
