namespace Pki.Core;

/// <summary>
/// Whole days from a moment to a certificate's notAfter, counted toward zero: 6.5 days left is 6, expired 10.5 days ago
/// is -10 ("expired 10 days ago"), and the first day after expiry is 0. The one rule for the compliance report's
/// daysToExpiry, the notices' "Days left" and "expired N days ago", and the expiring finding's message.
/// </summary>
public static class DaysToExpiry
{
    public static int Of(DateTimeOffset notAfter, DateTimeOffset now) => (int)Math.Truncate((notAfter - now).TotalDays);
}
