namespace Pki.Core.Notifications;

/// <summary>Where the renewal planner (and anyone else) asks for a notice to be sent.</summary>
public interface INoticeQueue
{
    Task SendAsync(NoticeRequest request, CancellationToken cancellationToken = default);
}
