namespace Pki.Core.Renewal;

/// <summary>What an <see cref="IExternalEarlyRenewal"/> did: when it was first asked, and the window in which it should now renew.</summary>
public sealed record ExternalEarlyRenewal(DateTimeOffset RequestedAt, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, string Detail);
