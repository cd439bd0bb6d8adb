namespace Pki.Core.Renewal;

/// <summary>What one planning pass did: days read, messages sent, days that failed, and where the cursor now stands.</summary>
public sealed record PlanningOutcome(int DaysRead, int Enqueued, int FailedDays, string Cursor);
