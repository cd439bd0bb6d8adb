namespace Pki.Core.Delivery;

/// <summary>A new delivery target for a certificate, as the caller sent it (unvalidated).</summary>
public sealed record DeliveryTargetInput(string? VaultUri, string? CertificateName);
