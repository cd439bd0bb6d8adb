namespace Pki.Core.Audit;

/// <summary>
/// The result of walking the chain: ok with the number of records checked and the head's sequence and hash
/// (keep that hash elsewhere to detect a later rewrite of the head itself), or the first break.
/// </summary>
public sealed record AuditVerification(bool Ok, long Count, long HeadSequence, string HeadHash, AuditBreak? Break);
