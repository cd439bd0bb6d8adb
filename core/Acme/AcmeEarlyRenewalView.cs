namespace Pki.Core.Acme;

/// <summary>The answer to an early renewal: when it was asked for (the first time) and the renewal window now.</summary>
public sealed record AcmeEarlyRenewalView(string SerialNumber, DateTimeOffset RenewEarlyAt, AcmeRenewalInfoService.WindowBody SuggestedWindow);
