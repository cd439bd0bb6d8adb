namespace Pki.Core.Audit;

/// <summary>
/// A stored audit row whose properties are missing or do not have the types the store writes (a sequence stored
/// as text, a time as a number). Only tampering produces one, so verification reports it as a break.
/// </summary>
public sealed class UnreadableAuditRowException : Exception
{
    public UnreadableAuditRowException()
    {
    }

    public UnreadableAuditRowException(string message)
        : base(message)
    {
    }

    public UnreadableAuditRowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The record's sequence as its row key names it; null for the head row or a key that names none.</summary>
    public long? Sequence { get; init; }
}
