using Azure.Core;
using Azure.Messaging.ServiceBus;

namespace Pki.Core.Events;

/// <summary>
/// Sends events to the Service Bus topic with the app's identity. The message id is the event id, so the topic's
/// duplicate detection drops an event sent again; the session id and partition key are the certificate, so a
/// session-enabled subscription receives one certificate's events in order.
/// </summary>
public sealed class ServiceBusEventPublisher : ILifecycleEventPublisher, IAsyncDisposable
{
    private readonly ServiceBusClient _client;
    private readonly ServiceBusSender _sender;

    public ServiceBusEventPublisher(EventsOptions options, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        _client = new ServiceBusClient(options.ServiceBusNamespace, credential, new ServiceBusClientOptions
        {
            RetryOptions = new ServiceBusRetryOptions { MaxRetries = 3, TryTimeout = TimeSpan.FromSeconds(30) },
        });
        _sender = _client.CreateSender(options.Topic);
    }

    public async Task PublishAsync(IReadOnlyList<CloudEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var next = 0;
        while (next < events.Count)
        {
            using var batch = await _sender.CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
            var start = next;
            while (next < events.Count && batch.TryAddMessage(ToMessage(events[next])))
            {
                next++;
            }

            if (next == start)
            {
                throw new InvalidOperationException($"Lifecycle event {events[next].Id} is larger than a Service Bus message may be.");
            }

            await _sender.SendMessagesAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Structured mode: the body is the whole CloudEvent; the label (Subject) is its type, for subscription filters.</summary>
    public static ServiceBusMessage ToMessage(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        return new ServiceBusMessage(cloudEvent.ToJsonBytes())
        {
            MessageId = cloudEvent.Id,
            SessionId = cloudEvent.Subject,
            PartitionKey = cloudEvent.Subject,
            ContentType = CloudEvent.MediaType,
            Subject = cloudEvent.Type,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _sender.DisposeAsync().ConfigureAwait(false);
        await _client.DisposeAsync().ConfigureAwait(false);
    }
}
