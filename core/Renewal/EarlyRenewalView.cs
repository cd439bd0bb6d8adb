namespace Pki.Core.Renewal;

/// <summary>
/// The answer to "renew early": which certificate, what will happen (<see cref="EarlyRenewalActions"/>) in words too, and
/// when it was asked; for an ACME certificate, the renewal window its client now sees.
/// </summary>
public sealed record EarlyRenewalView(
    string SerialNumber,
    string Action,
    string Detail,
    DateTimeOffset RequestedAt,
    DateTimeOffset? WindowStart = null,
    DateTimeOffset? WindowEnd = null);
