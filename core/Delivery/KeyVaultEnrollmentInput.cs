namespace Pki.Core.Delivery;

/// <summary>
/// A request for a certificate whose key is made in a Key Vault, as the caller sent it (unvalidated). The vault makes
/// the key and its CSR from the policy these fields imply; the names and lifetime go through the same policy as a CSR.
/// </summary>
/// <param name="KeyType">Key Vault's key type: EC (default), EC-HSM, RSA or RSA-HSM (the -HSM types need a Premium vault).</param>
/// <param name="KeySize">For EC the curve size, 256 (default) or 384; for RSA the modulus, 2048 (default), 3072 or 4096.</param>
/// <param name="Exportable">Whether the vault may release the private key with the certificate's secret; false by default, never for -HSM.</param>
public sealed record KeyVaultEnrollmentInput(
    string? VaultUri,
    string? CertificateName,
    string? Profile,
    string? Owner,
    IReadOnlyList<string>? DnsNames,
    string? CommonName = null,
    int? ValidityDays = null,
    bool? AutoRenew = null,
    string? Team = null,
    string? KeyType = null,
    int? KeySize = null,
    bool? Exportable = null);
