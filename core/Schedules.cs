namespace Pki.Core;

/// <summary>Timer schedules (NCRONTAB with seconds, as the Functions host reads them), named once.</summary>
public static class Schedules
{
    /// <summary>
    /// Every minute: publish the CRL shards revocations left pending (with one delta), republish CRLs nearing nextUpdate,
    /// rebuild complete CRLs behind a busy delta. The minute bounds how late a revocation reaches the CRLs.
    /// </summary>
    public const string CrlRefresh = "0 * * * * *";

    /// <summary>Every 10 minutes: re-sign OCSP responses at half-life and renew responder certificates.</summary>
    public const string OcspRefresh = "30 */10 * * * *";

    /// <summary>Hourly at a quarter past: sweep every discovery target.</summary>
    public const string DiscoverySweep = "0 15 * * * *";

    /// <summary>Hourly at 5 past: delete the dashboard sessions of every hour that has passed (those nobody reads again).</summary>
    public const string SessionSweep = "0 5 * * * *";

    /// <summary>Daily at 07:00 UTC: each owner's digest of the notices of the last 24 hours.</summary>
    public const string NoticeDigest = "0 0 7 * * *";

    /// <summary>
    /// Every minute: finish issuances a crash left open (derived rows and audit record of stored certificates, after
    /// Pki:Ca:RepairSettleSeconds; reservations never stored are given up after Pki:Ca:AbandonAfterSeconds).
    /// </summary>
    public const string IssuanceRepair = "10 * * * * *";

    /// <summary>Every minute: publish lifecycle events still in the outbox (the bus was down, or the process stopped).</summary>
    public const string EventDispatch = "45 * * * * *";

    /// <summary>
    /// Every minute: advance the Key Vault operations in flight whose wait is over (a vault that refused or did not
    /// answer, a host that stopped between create and merge); each waits twice as long after every failure.
    /// </summary>
    public const string DeliveryResume = "50 * * * * *";

    /// <summary>Every 15 minutes: plan the renewals of certificates that have fallen due.</summary>
    public const string RenewalPlanning = "20 */15 * * * *";

    /// <summary>
    /// Hourly at 40 past: the expiry-notice pass (thresholds, escalation, expiring/expired events). Thresholds are days
    /// apart, so an hour's delay is nothing, and it runs between renewal passes so a renewal due at the same moment is
    /// usually done (and counted as action) before the notice pass looks.
    /// </summary>
    public const string NoticePlanning = "0 40 * * * *";

    /// <summary>Hourly at 35 past: drop the records of used ACME nonces from hours whose nonces have all expired.</summary>
    public const string AcmeNonceSweep = "0 35 * * * *";
}
