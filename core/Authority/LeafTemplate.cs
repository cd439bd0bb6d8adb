using System.Net;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;

namespace Pki.Core.Authority;

/// <summary>What policy approved for one end-entity certificate.</summary>
public sealed record LeafTemplate(
    BigInteger Serial,
    CertificateProfile Profile,
    SubjectPublicKeyInfo PublicKey,
    string? CommonName,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<IPAddress> IpAddresses,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    int? CrlShard = null);
