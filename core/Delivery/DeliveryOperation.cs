namespace Pki.Core.Delivery;

/// <summary>
/// A Key Vault enrollment in flight: create (the vault's pending operation holds the new key and its CSR), policy and
/// signature here, merge there. One per vault certificate, as Key Vault allows one pending operation per certificate.
/// Its row is the state a resume pass continues from after a crash; it is deleted once the merge is done or cancelled.
/// </summary>
/// <param name="RequestId">Our request id for the certificate (the audit trail's and the issuance's).</param>
/// <param name="SerialNumber">The serial reserved for the certificate, once reserved; a resume with a serial never signs again.</param>
/// <param name="Attempts">Failed attempts so far; the next waits twice as long as the last.</param>
/// <param name="LeaseUntil">A host works on the operation until then; others leave it alone.</param>
/// <param name="ApprovalRequestId">The request held for approval with the vault's CSR (a profile that requires approval); the operation waits for its decision.</param>
/// <param name="RequesterId">Who asked (with <paramref name="RequesterTeam"/> and <paramref name="RequesterRoles"/>): the approval request is theirs, so they cannot approve it themselves.</param>
public sealed record DeliveryOperation(
    KeyVaultTarget Target,
    DeliveryKind Kind,
    string RequestId,
    string Profile,
    string Owner,
    string? Team,
    IReadOnlyList<string> DnsNames,
    string? CommonName,
    int? ValidityDays,
    bool? AutoRenew,
    string KeyType,
    int KeySize,
    bool Exportable,
    bool ReuseKey,
    DateTimeOffset CreatedAt,
    string? PredecessorSerial = null,
    string? SerialNumber = null,
    int Attempts = 0,
    DateTimeOffset? NextAttemptAt = null,
    DateTimeOffset? LeaseUntil = null,
    string? LastError = null,
    string? ApprovalRequestId = null,
    string? RequesterId = null,
    string? RequesterTeam = null,
    IReadOnlyList<string>? RequesterRoles = null,
    string? Version = null);
