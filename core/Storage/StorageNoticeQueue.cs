using Pki.Core.Notifications;

namespace Pki.Core.Storage;

/// <summary>Puts notice requests on the notifications Storage queue, where <c>SendNotice</c> picks them up.</summary>
public sealed class StorageNoticeQueue(QueueStorage queues) : INoticeQueue
{
    public Task SendAsync(NoticeRequest request, CancellationToken cancellationToken = default) =>
        queues.SendJsonAsync(QueueNames.Notifications, request, cancellationToken);
}
