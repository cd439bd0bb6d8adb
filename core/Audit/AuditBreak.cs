namespace Pki.Core.Audit;

/// <summary>
/// The first place the chain does not hold. <see cref="Problem"/> is one of altered (a record's content
/// does not match its own hash, or a property is stored with another type), missing (a sequence number is absent,
/// or the chain ends before the head), broken-link (a record's previous hash is not its predecessor's hash: the
/// predecessor was rewritten with a fresh hash, or this record was), head-mismatch (the head does not name the last
/// record, or cannot be read).
/// </summary>
public sealed record AuditBreak(long Sequence, string Problem, string Detail)
{
    public const string Altered = "altered";
    public const string Missing = "missing";
    public const string BrokenLink = "broken-link";
    public const string HeadMismatch = "head-mismatch";
}
