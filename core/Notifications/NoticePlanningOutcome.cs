namespace Pki.Core.Notifications;

/// <summary>What one expiry-notice pass did: days read, crossings handled, notice requests queued, days that failed, and the cursor.</summary>
public sealed record NoticePlanningOutcome(int DaysRead, int Crossings, int NoticesQueued, int FailedDays, string Cursor);
