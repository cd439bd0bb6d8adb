namespace Pki.Local.Clock;

/// <summary>What the dev clock reads, and how far ahead of the system clock it runs.</summary>
public sealed record ClockReading(DateTimeOffset Now, TimeSpan Offset);
