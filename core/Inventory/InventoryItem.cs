namespace Pki.Core.Inventory;

/// <summary>
/// One distinct certificate (by SHA-256 fingerprint), wherever it was found. <see cref="Findings"/> holds the
/// stored findings (the certificate's own and those of its locations); expiry findings are added when read.
/// </summary>
/// <param name="RevokedAt">When one of our CAs revoked it (null when not revoked, or not ours): the overview's "revoked in the last 30 days".</param>
public sealed record InventoryItem(
    string Fingerprint,
    string Subject,
    string Issuer,
    string SerialNumber,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<string> IpAddresses,
    string KeyAlgorithm,
    int KeySize,
    string SignatureAlgorithm,
    bool IsCa,
    InventorySources Sources,
    string? Owner,
    string? Team,
    OwnerSource OwnerSource,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    string? IssuerCaId,
    bool Revoked,
    IReadOnlyList<Finding> Findings,
    DateTimeOffset? RevokedAt = null)
{
    public static InventoryItem From(CertificateFacts facts, DateTimeOffset seen, string? issuerCaId) => new(
        facts.Fingerprint, facts.Subject, facts.Issuer, facts.SerialNumber, facts.NotBefore, facts.NotAfter, facts.DnsNames, facts.IpAddresses,
        facts.KeyAlgorithm, facts.KeySize, facts.SignatureAlgorithm, facts.IsCa, InventorySources.None, null, null, OwnerSource.None,
        seen, seen, issuerCaId, false, []);
}
