namespace Pki.Core.Renewal;

/// <summary>
/// What one planning pass did: days read, certificates enqueued, the batch messages that carried them, days that
/// failed, and where the cursor now stands.
/// </summary>
public sealed record PlanningOutcome(int DaysRead, int Enqueued, int Batches, int FailedDays, string Cursor);
