using System.Net;
using Org.BouncyCastle.Asn1.X509;

namespace Pki.Core.Authority;

/// <summary>
/// A PKCS#10 request whose signature has been verified, with the names it asks for: its key re-encoded as a
/// certificate carries it, DNS names (and a commonName repeating one) lower-cased.
/// </summary>
public sealed record ParsedCsr(
    SubjectPublicKeyInfo PublicKey,
    string? CommonName,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<IPAddress> IpAddresses,
    IReadOnlyList<string> UnsupportedNames);
