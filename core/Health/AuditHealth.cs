namespace Pki.Core.Health;

/// <summary>The audit chain's last verification (<c>GET /api/audit/verify</c>, the dashboard's "verify chain"); never verified when <see cref="VerifiedAt"/> is null.</summary>
public sealed record AuditHealth(DateTimeOffset? VerifiedAt, bool? Ok, long? Count, long? BrokenAt);
