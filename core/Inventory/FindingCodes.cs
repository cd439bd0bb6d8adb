namespace Pki.Core.Inventory;

/// <summary>The finding codes, named once; the inventory's <c>finding</c> filter takes these.</summary>
public static class FindingCodes
{
    public const string Expired = "expired";
    public const string Expiring = "expiring";
    public const string WeakKey = "weak-key";
    public const string WeakSignature = "weak-signature";
    public const string SelfSigned = "self-signed";
    public const string ChainIncomplete = "chain-incomplete";
    public const string ChainUnverifiable = "chain-unverifiable";
    public const string Untrusted = "untrusted";
    public const string HostnameMismatch = "hostname-mismatch";
    public const string Revoked = "revoked";
    public const string RenewedNotDeployed = "renewed-not-deployed";
    public const string LegacyTls = "legacy-tls";
    public const string NoRevocationUrl = "no-revocation-url";
    public const string DeliveryFailed = "delivery-failed";

    /// <summary>Findings that depend on the clock only; computed when read, never stored.</summary>
    public static readonly IReadOnlyList<string> Timely = [Expired, Expiring];

    /// <summary>Findings stored with the item (and filterable as stored flags).</summary>
    public static readonly IReadOnlyList<string> Stored = [WeakKey, WeakSignature, SelfSigned, ChainIncomplete, ChainUnverifiable, Untrusted, HostnameMismatch, Revoked, RenewedNotDeployed, LegacyTls, NoRevocationUrl, DeliveryFailed];

    public static readonly IReadOnlyList<string> All = [.. Timely, .. Stored];
}
