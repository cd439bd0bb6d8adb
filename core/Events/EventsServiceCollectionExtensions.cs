using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Azure.Core;
using Pki.Core.Storage;

namespace Pki.Core.Events;

public static class EventsServiceCollectionExtensions
{
    /// <summary>Registers lifecycle events: outbox, dispatcher, recorder, publisher; called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiEvents(this IServiceCollection services)
    {
        services.AddSingleton<IEventOutbox, TableEventOutbox>();
        services.AddSingleton<LifecycleEvents>();
        services.AddSingleton<EventDispatcher>();
        services.AddSingleton<LifecycleEventRecorder>();
        services.TryAddSingleton<ILifecycleEventPublisher>(sp =>
        {
            var events = sp.GetRequiredService<IOptions<PkiOptions>>().Value.Events;
            return events.UsesServiceBus
                ? new ServiceBusEventPublisher(events, sp.GetRequiredService<TokenCredential>())
                : new StorageQueueEventPublisher(sp.GetRequiredService<QueueStorage>());
        });
        return services;
    }
}
