using Org.BouncyCastle.Asn1.X509;

namespace Pki.Core.Authority;

/// <summary>What a certificate of one kind looks like and may contain.</summary>
/// <param name="NamesHosts">
/// Whether the subject names hosts (DNS names, IP addresses checked against the name spaces and the team's grants).
/// A code signer is named by its commonName alone, which is no host name, and carries no subjectAltName.
/// </param>
/// <param name="RequiresApproval">Requests are held pending until an approver other than the requester approves.</param>
public sealed record CertificateProfile(
    string Name,
    KeyPurposeID ExtendedKeyUsage,
    bool RequiresSubjectAltName,
    int MaxValidityDays,
    bool NamesHosts = true,
    bool RequiresApproval = false);
