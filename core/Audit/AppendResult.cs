namespace Pki.Core.Audit;

/// <summary>What one conditional append did.</summary>
public enum AppendResult
{
    Appended,

    /// <summary>The head moved (another append won); read it again and retry.</summary>
    HeadMoved,

    /// <summary>A once key of the batch is recorded already; nothing was appended.</summary>
    AlreadyRecorded,
}
