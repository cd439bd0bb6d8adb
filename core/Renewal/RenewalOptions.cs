namespace Pki.Core.Renewal;

/// <summary>When certificates become due for renewal and how they are renewed (<c>Pki:Renewal</c>).</summary>
public sealed class RenewalOptions
{
    public const double DefaultRenewAfterFraction = 2.0 / 3.0;

    /// <summary>Due once this fraction of the lifetime has passed (0 &lt; f &lt; 1).</summary>
    public double RenewAfterFraction { get; set; } = DefaultRenewAfterFraction;

    /// <summary>When set, also due this many days before expiry; the earlier of the two moments wins.</summary>
    public int? RenewDaysBeforeExpiry { get; set; }

    /// <summary>When true, no certificate is renewed for its old key: the owner is told to send a new CSR.</summary>
    public bool RequireNewKey { get; set; }

    /// <summary>Days before today the first planning pass (no cursor stored yet) starts reading due buckets from.</summary>
    public int InitialLookbackDays { get; set; } = 90;
}
