namespace Pki.Core.Acme;

/// <summary>Which account's order a certificate was issued for.</summary>
/// <remarks>
/// <see cref="ReplacedByOrderId"/>: the order that named it in <c>replaces</c> (RFC 9773 §5); a certificate is replaced once.
/// <see cref="RenewEarlyAt"/>: when an admin asked for it to be renewed early; its renewal window starts then.
/// </remarks>
public sealed record AcmeIssuedCertificate(string SerialNumber, string AccountId, string OrderId, string? ReplacedByOrderId = null, DateTimeOffset? RenewEarlyAt = null);
