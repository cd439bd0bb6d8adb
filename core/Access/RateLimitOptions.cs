namespace Pki.Core.Access;

/// <summary>Per-identity limits (<c>Pki:Access:RateLimits</c>), so a client in a retry loop cannot fill the store.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests that may issue (certificate requests) per caller per window; 0 turns the limit off.</summary>
    public int IssuancePerWindow { get; set; } = 60;

    /// <summary>The window's length in seconds (fixed windows aligned to the clock).</summary>
    public int WindowSeconds { get; set; } = 60;
}
