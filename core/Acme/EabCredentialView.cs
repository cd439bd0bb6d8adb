namespace Pki.Core.Acme;

/// <summary>An EAB credential as the admin API shows it. <see cref="HmacKey"/> is present once, in the answer that created it.</summary>
public sealed record EabCredentialView(
    string Kid,
    string Team,
    string? Owner,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    string Status,
    string? AccountId,
    DateTimeOffset? BoundAt,
    DateTimeOffset? RevokedAt,
    string? HmacKey = null)
{
    public static EabCredentialView Of(EabCredential credential, string? hmacKey = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var status = credential.RevokedAt is not null ? "revoked" : credential.AccountId is not null ? "bound" : "unused";
        return new EabCredentialView(credential.Kid, credential.Team, credential.Owner, credential.CreatedAt, credential.CreatedBy, status,
            credential.AccountId, credential.BoundAt, credential.RevokedAt, hmacKey);
    }
}
