namespace Pki.Core.Access;

/// <summary>Per-identity limits (<c>Pki:Access:RateLimits</c>), so a client in a retry loop cannot fill the store.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests that may issue (certificate requests) per caller per window; 0 turns the limit off.</summary>
    public int IssuancePerWindow { get; set; } = 60;

    /// <summary>The window's length in seconds (fixed windows aligned to the clock).</summary>
    public int WindowSeconds { get; set; } = 60;

    /// <summary>
    /// Failed dashboard sign-ins allowed per client address, and per API-key prefix, in <see cref="SignInWindowSeconds"/>;
    /// past that, sign-in from that client (or with keys of that prefix) answers 429 until the window ends. 0 turns it off.
    /// </summary>
    public int SignInFailuresPerWindow { get; set; } = 10;

    /// <summary>The sign-in window's length in seconds (fixed windows aligned to the clock).</summary>
    public int SignInWindowSeconds { get; set; } = 900;
}
