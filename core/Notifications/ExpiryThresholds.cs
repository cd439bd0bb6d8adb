using Pki.Core.Renewal;

namespace Pki.Core.Notifications;

/// <summary>
/// Where a certificate's threshold crossings fall and how far a notice escalates. A threshold <c>t</c> is crossed at
/// notAfter − t days. Crossings before the certificate was first recorded are not replayed: only the most recent of
/// them (the "catch-up" threshold) is noticed, at the moment it was recorded, so a certificate found 5 days before
/// expiry gets its 7-day notice at once and not the 30- and 14-day ones.
/// </summary>
public static class ExpiryThresholds
{
    public static DateTimeOffset CrossingOf(DateTimeOffset notAfter, int thresholdDays) => notAfter.AddDays(-thresholdDays);

    /// <summary>The most recent threshold already crossed at <paramref name="firstSeen"/>; null when none was.</summary>
    public static int? CatchUp(DateTimeOffset notAfter, DateTimeOffset firstSeen, IReadOnlyList<int> thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        int? catchUp = null;
        foreach (var t in thresholds)
        {
            if (CrossingOf(notAfter, t) < firstSeen && (catchUp is null || t < catchUp))
            {
                catchUp = t;
            }
        }

        return catchUp;
    }

    /// <summary>
    /// The first index entry of a certificate first recorded at <paramref name="firstSeen"/>: its catch-up threshold (at
    /// <paramref name="firstSeen"/>) when one passed before, else the first threshold ahead. Only this one is written when
    /// the certificate is recorded; the notice pass writes each <see cref="Next"/> as it handles the one before, so
    /// recording a certificate costs one index write, not one per threshold.
    /// </summary>
    public static ExpiryNoticeEntry? First(string fingerprint, DateTimeOffset notAfter, DateTimeOffset firstSeen, IReadOnlyList<int> thresholds)
    {
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        ArgumentNullException.ThrowIfNull(thresholds);
        if (CatchUp(notAfter, firstSeen, thresholds) is { } caught)
        {
            return new ExpiryNoticeEntry(RenewalDays.Of(firstSeen), fingerprint, caught, firstSeen, notAfter);
        }

        var ahead = thresholds.Where(t => CrossingOf(notAfter, t) >= firstSeen).ToArray();
        return ahead.Length == 0 ? null : At(fingerprint, notAfter, ahead.Max());
    }

    /// <summary>The entry of the threshold crossed after <paramref name="entry"/>'s (the next smaller one); null after the last.</summary>
    public static ExpiryNoticeEntry? Next(ExpiryNoticeEntry entry, IReadOnlyList<int> thresholds)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(thresholds);
        var smaller = thresholds.Where(t => t < entry.ThresholdDays).ToArray();
        return smaller.Length == 0 ? null : At(entry.Fingerprint, entry.NotAfter, smaller.Max());
    }

    private static ExpiryNoticeEntry At(string fingerprint, DateTimeOffset notAfter, int thresholdDays)
    {
        var crossing = CrossingOf(notAfter, thresholdDays);
        return new ExpiryNoticeEntry(RenewalDays.Of(crossing), fingerprint, thresholdDays, crossing, notAfter);
    }

    /// <summary>
    /// True when a smaller threshold has also been crossed by <paramref name="now"/>: the pass ran late (a catch-up over
    /// missed days), and only the most recent crossing is worth a notice.
    /// </summary>
    public static bool IsSuperseded(int thresholdDays, DateTimeOffset notAfter, DateTimeOffset now, IReadOnlyList<int> thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        return thresholds.Any(t => t < thresholdDays && CrossingOf(notAfter, t) <= now);
    }

    /// <summary>
    /// How many thresholds before <paramref name="thresholdDays"/> passed with a notice due and nothing done since (the
    /// caller checked that nothing was done): 0 tells the owner, 1 also the team, 2 and more also the admins. A threshold
    /// counts when it was crossed after <paramref name="noticesFrom"/> (before it, the certificate was not yet known, or
    /// it was still expected to renew itself), or when it is the catch-up threshold of a certificate that is not quiet.
    /// </summary>
    /// <param name="thresholdDays">The threshold crossed now.</param>
    /// <param name="notAfter">The certificate's expiry.</param>
    /// <param name="firstSeen">When the inventory first recorded it.</param>
    /// <param name="noticesFrom">When notices started to be due: <paramref name="firstSeen"/>, or the renewal due moment of a certificate of ours that renews itself.</param>
    /// <param name="thresholds">The configured thresholds.</param>
    public static int Escalation(int thresholdDays, DateTimeOffset notAfter, DateTimeOffset firstSeen, DateTimeOffset noticesFrom, IReadOnlyList<int> thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        var catchUp = noticesFrom <= firstSeen ? CatchUp(notAfter, firstSeen, thresholds) : null;
        return thresholds.Distinct().Count(t => t > thresholdDays && (CrossingOf(notAfter, t) >= noticesFrom || t == catchUp));
    }

    /// <summary>The recipient levels of a notice at escalation step <paramref name="step"/>: the owner always, then the team, then the admins.</summary>
    public static IReadOnlyList<RecipientLevel> Levels(int step) => step switch
    {
        <= 0 => [RecipientLevel.Owner],
        1 => [RecipientLevel.Owner, RecipientLevel.Team],
        _ => [RecipientLevel.Owner, RecipientLevel.Team, RecipientLevel.Admins],
    };

    /// <summary>The threshold a certificate with <paramref name="daysLeft"/> is inside of: the smallest at or above it, else the largest.</summary>
    public static int Current(double daysLeft, IReadOnlyList<int> thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        var inside = thresholds.Where(t => t >= daysLeft).ToArray();
        return inside.Length > 0 ? inside.Min() : thresholds.Max();
    }
}
