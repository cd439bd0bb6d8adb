using System.Text.Json;
using Pki.Core.Acme;

namespace Pki.Core.Storage;

/// <summary>Sends validations to the acme-validations Storage queue; a delay is the message's initial invisibility.</summary>
public sealed class StorageAcmeValidationQueue(QueueStorage queues) : IAcmeValidationQueue
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task SendAsync(AcmeValidationMessage message, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        var queue = await queues.GetQueueAsync(AcmeQueueNames.Validations, cancellationToken).ConfigureAwait(false);
        await queue.SendMessageAsync(BinaryData.FromObjectAsJson(message, Json), visibilityTimeout: delay > TimeSpan.Zero ? delay : null, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
