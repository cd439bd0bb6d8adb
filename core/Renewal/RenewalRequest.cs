namespace Pki.Core.Renewal;

/// <summary>
/// A pipeline's renewal request on the <c>renewal-requests</c> queue: a new CSR for the successor of
/// <see cref="SerialNumber"/>, with the predecessor's profile and owner. <see cref="RequestId"/> is the
/// pipeline's own id for the request and its idempotency key: the same id again returns the first result.
/// </summary>
public sealed record RenewalRequest(string? RequestId, string? SerialNumber, string? Csr, int? ValidityDays = null, bool? AutoRenew = null);
