namespace Pki.Core.Audit;

/// <summary>
/// One link of the chain. <see cref="Hash"/> is SHA-256 over <see cref="AuditHash.Canonical"/> of every other
/// field, <see cref="PreviousHash"/> included, so altering any field or unlinking a record is detectable.
/// </summary>
public sealed record AuditRecord(
    long Sequence,
    DateTimeOffset Time,
    AuditActor Actor,
    string Action,
    string Outcome,
    string? ProblemType,
    string? RequestId,
    string? SerialNumber,
    string? Fingerprint,
    string? TargetId,
    string? Detail,
    string PreviousHash,
    string Hash)
{
    public const int MaxDetailLength = 512;

    /// <summary>Bounds any one id or name field, so a caller cannot make a record large.</summary>
    public const int MaxFieldLength = 256;

    /// <summary>The previous hash of the first record: there is none.</summary>
    public static readonly string GenesisHash = new('0', 64);
}
