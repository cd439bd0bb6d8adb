namespace Pki.Core.Renewal;

/// <summary>What an <see cref="IExternalRenewal"/> says of a due certificate, and why (for the log and the notice).</summary>
public sealed record ExternalRenewalDecision(ExternalRenewalState State, string Detail);
