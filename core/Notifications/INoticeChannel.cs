namespace Pki.Core.Notifications;

/// <summary>One way a notice reaches people (email, Teams). Each channel is sent to, and remembered as done, on its own.</summary>
public interface INoticeChannel
{
    /// <summary>A short stable name, stored with the notice once this channel has delivered it.</summary>
    string Name { get; }

    /// <summary>False when the channel has no settings; it is then skipped.</summary>
    bool IsConfigured { get; }

    /// <summary>
    /// Delivers the notice; false when the channel has no recipient at the notice's level (nothing to do).
    /// Throws <see cref="NoticeDeliveryException"/> when delivery failed and a retry may succeed.
    /// </summary>
    Task<bool> SendAsync(Notice notice, CancellationToken cancellationToken = default);
}
