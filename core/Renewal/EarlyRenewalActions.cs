namespace Pki.Core.Renewal;

/// <summary>What an early renewal leads to (<see cref="EarlyRenewalView.Action"/>), decided as the renewer decides.</summary>
public static class EarlyRenewalActions
{
    /// <summary>The renewer issues a successor for the same key (auto-renewal on), policy permitting; else the owner is told why.</summary>
    public const string Successor = "successor";

    /// <summary>The certificate's Key Vault target makes a new key and the successor is merged there.</summary>
    public const string KeyVault = "key-vault";

    /// <summary>Nobody renews it by itself (auto-renewal off, or a new key required): its owner gets the notice to send a CSR.</summary>
    public const string OwnerNotice = "owner-notice";

    /// <summary>An ACME certificate: its renewal window (RFC 9773) opens now, so its client renews at its next check.</summary>
    public const string AcmeWindow = "acme-window";
}
