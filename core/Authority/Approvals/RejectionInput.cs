namespace Pki.Core.Authority.Approvals;

/// <summary>The body of a rejection, unvalidated.</summary>
public sealed record RejectionInput(string? Reason);
