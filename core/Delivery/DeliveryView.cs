using System.Text.Json.Serialization;
using Pki.Core.Authority;

namespace Pki.Core.Delivery;

/// <summary>
/// The answer about a delivery: the target, where its operation stands, and the certificate once issued. An operation
/// in flight shows its attempts and the vault's last refusal, so an operator sees what to fix (a role, a firewall).
/// </summary>
public sealed record DeliveryView(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("vaultUri")] string VaultUri,
    [property: JsonPropertyName("certificateName")] string CertificateName,
    [property: JsonPropertyName("certificateId")] string CertificateId,
    [property: JsonPropertyName("serialNumber")] string? SerialNumber,
    [property: JsonPropertyName("operation")] DeliveryOperationView? Operation,
    [property: JsonPropertyName("certificate")] CertificateView? Certificate = null);
