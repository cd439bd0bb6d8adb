namespace Pki.Core.Authority;

/// <summary>A request made with an Idempotency-Key; a repeat returns the first result.</summary>
public sealed record IssuanceRequestRecord(string IdempotencyKey, string BodyHash, string RequestId, DateTimeOffset CreatedAt, string? SerialNumber = null);
