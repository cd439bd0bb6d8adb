using Microsoft.Azure.Functions.Worker;
using Pki.Core.Notifications;
using Pki.Core.Storage;

namespace Pki.Functions;

/// <summary>One notice per message; a failed channel leaves the message to the queue's retries, then its poison queue.</summary>
public sealed class SendNotice(NotificationService notices)
{
    [Function(nameof(SendNotice))]
    public Task Run(
        [QueueTrigger(QueueNames.Notifications, Connection = QueueNames.Connection)] NoticeRequest request,
        string id,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        notices.ProcessAsync(request, id, dequeueCount, cancellationToken);
}
