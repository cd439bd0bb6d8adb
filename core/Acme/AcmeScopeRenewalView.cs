namespace Pki.Core.Acme;

/// <summary>The answer to an early renewal of an issuing CA's or a team's certificates: the scope and the time; certificates issued before it renew.</summary>
public sealed record AcmeScopeRenewalView(string Scope, DateTimeOffset RenewEarlyAt);
