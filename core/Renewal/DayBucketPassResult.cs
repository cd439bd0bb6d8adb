namespace Pki.Core.Renewal;

/// <summary>How many day buckets a pass read, how many failed, and where the next pass starts.</summary>
public sealed record DayBucketPassResult(int Days, int Failed, string Cursor);
