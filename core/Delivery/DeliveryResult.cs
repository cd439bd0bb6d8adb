using Pki.Core.Authority;

namespace Pki.Core.Delivery;

/// <summary>What one step of a Key Vault operation came to: its status, the operation as stored, and the certificate once issued.</summary>
public sealed record DeliveryResult(DeliveryStatus Status, DeliveryOperation Operation, CertificateRecord? Certificate, string? Reason = null);
