namespace Pki.Core.Notifications;

public enum NoticeState
{
    /// <summary>A message is sending it; <see cref="NoticeRecord.Channels"/> holds the channels done so far.</summary>
    Claimed,

    /// <summary>Every channel delivered it (or had nobody to tell); it is never sent again.</summary>
    Sent,
}
