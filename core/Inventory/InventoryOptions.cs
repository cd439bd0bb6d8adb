namespace Pki.Core.Inventory;

/// <summary>Inventory and findings settings. Bound from <c>Pki:Inventory</c>.</summary>
public sealed class InventoryOptions
{
    /// <summary>60 days is the early warning other scanners give (the nearest two thresholds are High and Medium, the rest Low).</summary>
    public static readonly IReadOnlyList<int> DefaultExpiryThresholdsDays = [60, 30, 14, 7];

    /// <summary>Days before expiry at which "expiring" is reported; the nearest threshold sets the severity. Default 60, 30, 14, 7.</summary>
    public int[]? ExpiryThresholdsDays { get; set; }

    /// <summary>PEM files of the CA certificates a deployed chain must lead to (our own CAs are always trusted).</summary>
    public string[]? TrustAnchorFiles { get; set; }

    /// <summary>Name patterns to teams and owners, first match wins.</summary>
    public OwnerRuleOptions[]? OwnerRules { get; set; }

    /// <summary>RSA keys shorter than this are weak.</summary>
    public int MinRsaBits { get; set; } = 2048;

    /// <summary>EC keys over a smaller field than this are weak.</summary>
    public int MinEcBits { get; set; } = 256;

    /// <summary>Largest page <c>GET /api/inventory</c> returns.</summary>
    public int MaxPageSize { get; set; } = 200;

    public IReadOnlyList<int> Thresholds => ExpiryThresholdsDays is { Length: > 0 } days ? days.OrderDescending().ToArray() : DefaultExpiryThresholdsDays;
}
