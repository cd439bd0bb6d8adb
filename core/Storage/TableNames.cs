namespace Pki.Core.Storage;

/// <summary>Table names, before the configured prefix.</summary>
public static class TableNames
{
    public const string Authorities = "authorities";
    public const string Certificates = "certificates";
    public const string ExpiryIndex = "expiryindex";

    /// <summary>Certificates by the UTC day they fall due for renewal, and the renewal planner's cursor.</summary>
    public const string RenewalIndex = "renewalindex";
    public const string Requests = "requests";

    /// <summary>Issuances not yet finished, by the hour they were reserved, and the repair pass's cursor.</summary>
    public const string IssuanceJournal = "issuancejournal";

    /// <summary>Requests held for approval, each its own partition, and the listing of the pending ones.</summary>
    public const string Approvals = "approvals";
    public const string Revocations = "revocations";
    public const string OcspResponses = "ocspresponses";
    public const string OcspRefresh = "ocsprefresh";
    public const string Inventory = "inventory";
    public const string InventoryLocations = "inventorylocations";
    public const string InventoryByLocation = "inventorybylocation";
    public const string InventoryNames = "inventorynames";
    public const string DiscoveryTargets = "discoverytargets";
    public const string DiscoverySweeps = "discoverysweeps";
    public const string Notices = "notices";
    public const string NoticeDigests = "noticedigests";

    /// <summary>Per-caller request counters (rate limits).</summary>
    public const string RateLimits = "ratelimits";

    /// <summary>Dashboard sessions by the SHA-256 of their id, each its own partition.</summary>
    public const string Sessions = "sessions";

    /// <summary>Inventory items' expiry-threshold crossings by UTC day, and the notice pass's cursor.</summary>
    public const string NoticeIndex = "noticeindex";

    /// <summary>Lifecycle events not yet published.</summary>
    public const string EventOutbox = "eventoutbox";

    /// <summary>The hash-chained audit trail: one partition with its head, records and once keys.</summary>
    public const string Audit = "audit";

    /// <summary>Certificates' delivery targets (Key Vault certificates) and the Key Vault operations in flight.</summary>
    public const string Deliveries = "deliveries";

    /// <summary>The blob container of published CRLs, before the (lowercased) prefix.</summary>
    public const string CrlContainer = "crls";
}
