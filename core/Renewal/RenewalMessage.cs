namespace Pki.Core.Renewal;

/// <summary>One certificate to renew, on the <c>renewals</c> queue: <c>{"serialNumber":"3f0a…"}</c>.</summary>
public sealed record RenewalMessage(string? SerialNumber);
