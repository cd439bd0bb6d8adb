namespace Pki.Core.Acme;

/// <summary>
/// An ACME account: its key (canonical JWK and thumbprint), its contacts, and the team and owner that the External
/// Account Binding it registered with gave it. Certificates it obtains belong to that team.
/// </summary>
public sealed record AcmeAccount(
    string Id,
    string KeyJson,
    string Thumbprint,
    string Status,
    IReadOnlyList<string> Contact,
    string Team,
    string Owner,
    string? EabKid,
    DateTimeOffset CreatedAt)
{
    public const string Valid = "valid";
    public const string Deactivated = "deactivated";
}
