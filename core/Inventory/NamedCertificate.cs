namespace Pki.Core.Inventory;

/// <summary>An index row: a certificate of our CAs that carries <paramref name="DnsName"/>, to find newer ones for the same names.</summary>
public sealed record NamedCertificate(string DnsName, string Fingerprint, IReadOnlyList<string> DnsNames, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string IssuerCaId);
