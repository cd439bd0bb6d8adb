namespace Pki.Core.Notifications;

/// <summary>Where the renewal planner (and anyone else) asks for a notice to be sent.</summary>
public interface INoticeQueue
{
    /// <summary>The queue's name before the storage prefix, as logs name it (its poison queue is this name + "-poison").</summary>
    string Name { get; }

    Task SendAsync(NoticeRequest request, CancellationToken cancellationToken = default);
}
