namespace Pki.Core.Renewal;

/// <summary>
/// One certificate in the renewal index, in the bucket of the UTC day it becomes due. <see cref="Planned"/> is
/// set once its message is on the queue; <see cref="Version"/> is the store's concurrency tag.
/// </summary>
public sealed record RenewalIndexEntry(string Day, string SerialNumber, DateTimeOffset DueAt, bool Planned = false, string? Version = null);
