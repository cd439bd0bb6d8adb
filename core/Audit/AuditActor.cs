namespace Pki.Core.Audit;

/// <summary>Who acted, as the caller context named them when the record was appended.</summary>
public sealed record AuditActor(string Id, string? Team, string AuthenticationMethod);
