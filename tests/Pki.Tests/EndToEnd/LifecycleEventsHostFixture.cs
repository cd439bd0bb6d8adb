using Azure.Storage.Queues;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pki.Core.Events;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;
using Pki.Tests.Integration.Events;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// A dev host whose events go to its Azurite lifecycle-events queue through the real storage-queue publisher,
/// behind a switch that takes the "bus" down; the dispatcher sends events of any age, so a test need not wait.
/// </summary>
public sealed class LifecycleEventsHostFixture : DevHostFixture
{
    public RecordingPublisher Bus { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await StartHostAsync(["--Pki:Events:DispatchDelaySeconds=0"], services =>
        {
            services.AddSingleton<StorageQueueEventPublisher>();
            services.Replace(ServiceDescriptor.Singleton<ILifecycleEventPublisher>(sp => new RecordingPublisher(sp.GetRequiredService<StorageQueueEventPublisher>())));
        });
        Bus = (RecordingPublisher)App.Services.GetRequiredService<ILifecycleEventPublisher>();
    }

    /// <summary>This host's lifecycle-events queue, as a consumer reads it.</summary>
    public QueueClient EventQueue() =>
        new(TestEnvironment.StorageConnectionString, QueueNames.Resolve(TablePrefix, QueueNames.LifecycleEvents), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>The events on the queue about one certificate (peeked, so they stay for the next look).</summary>
    public async Task<IReadOnlyList<CloudEvent>> EventsAboutAsync(string subject)
    {
        var queue = EventQueue();
        if (!await queue.ExistsAsync())
        {
            return [];
        }

        var messages = await queue.PeekMessagesAsync(maxMessages: 32);
        return messages.Value.Select(m => CloudEvent.Parse(m.Body.ToString())).Where(e => e.Subject == subject).ToArray();
    }
}
