namespace Pki.Core.Notifications;

public enum ClaimOutcome
{
    /// <summary>This message holds the notice now (new, its own earlier try, or an expired claim taken over).</summary>
    Claimed,

    /// <summary>The notice went out before; nothing to do.</summary>
    AlreadySent,

    /// <summary>Another message holds a live claim and will finish or retry it itself.</summary>
    HeldByOther,
}
