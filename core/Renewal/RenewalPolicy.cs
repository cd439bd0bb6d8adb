using Pki.Core.Authority;

namespace Pki.Core.Renewal;

/// <summary>When a certificate is due (whether it renews itself is <see cref="AutoRenewal"/>, a fact of its record).</summary>
public static class RenewalPolicy
{
    /// <summary>
    /// A renewal is never due in the first third of its certificate's lifetime, whatever the settings say: the rest
    /// of the lifetime is the window (ACME renewal information puts it in the last third), so a successor is never
    /// due at birth and renewals cannot chase each other.
    /// </summary>
    public const double MinimumFraction = 1.0 / 3.0;

    /// <summary>
    /// notBefore + fraction × lifetime, or expiry minus the configured days when that is earlier: the earlier
    /// moment wins, so a short certificate still gets its fraction and a long one never gets closer than the days.
    /// Never before a third of the lifetime (<see cref="MinimumFraction"/>).
    /// </summary>
    public static DateTimeOffset DueAt(DateTimeOffset notBefore, DateTimeOffset notAfter, RenewalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var lifetime = notAfter - notBefore;
        var due = notBefore + (lifetime * options.RenewAfterFraction);
        if (options.RenewDaysBeforeExpiry is { } days)
        {
            var byDays = notAfter.AddDays(-days);
            if (byDays < due)
            {
                due = byDays;
            }
        }

        var earliest = notBefore + (lifetime * MinimumFraction);
        return due < earliest ? earliest : due;
    }

    /// <summary>True when the settings would make a certificate of this lifetime due before a third of it (clamped by <see cref="DueAt"/>).</summary>
    public static bool IsClamped(int lifetimeDays, RenewalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var start = DateTimeOffset.UnixEpoch;
        var end = start.AddDays(lifetimeDays);
        var lifetime = end - start;
        var unclamped = start + (lifetime * options.RenewAfterFraction);
        if (options.RenewDaysBeforeExpiry is { } days && end.AddDays(-days) < unclamped)
        {
            unclamped = end.AddDays(-days);
        }

        return unclamped < start + (lifetime * MinimumFraction);
    }
}
