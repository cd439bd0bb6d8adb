using Pki.Core.Notifications;

namespace Pki.Core.Storage;

/// <summary>Puts notice requests on the notifications Storage queue, where <c>SendNotice</c> picks them up.</summary>
public sealed class StorageNoticeQueue(QueueStorage queues) : INoticeQueue
{
    public string Name => QueueNames.Notifications;

    public Task SendAsync(NoticeRequest request, CancellationToken cancellationToken = default) =>
        queues.SendJsonAsync(Name, request, cancellationToken);
}
