namespace Pki.Core.Authority;

/// <summary>A CA as the API returns it.</summary>
public sealed record AuthorityView(
    string Id,
    string Role,
    string Subject,
    string CertificatePem,
    string? ParentId,
    DateTimeOffset NotAfter,
    string KeyProvider)
{
    public static AuthorityView From(CertificateAuthority ca) =>
        new(ca.Id, ca.Role.ToString().ToLowerInvariant(), ca.Subject, Pem.Certificate(ca.CertificateDer), ca.ParentId, ca.NotAfter, ca.KeyProvider);
}
