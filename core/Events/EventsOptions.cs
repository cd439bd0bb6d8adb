namespace Pki.Core.Events;

/// <summary>Where lifecycle events go. Bound from <c>Pki:Events</c>.</summary>
public sealed class EventsOptions
{
    /// <summary>Fully qualified Service Bus namespace (NAME.servicebus.windows.net), reached with the app's identity; empty: the local storage queue.</summary>
    public string? ServiceBusNamespace { get; set; }

    /// <summary>The topic in that namespace (the deployment's is lifecycle-events).</summary>
    public string? Topic { get; set; }

    /// <summary>
    /// The dispatcher leaves events younger than this to the publish right after the outbox write, so the two
    /// rarely send one event twice (Service Bus drops such a repeat; the storage queue cannot).
    /// </summary>
    public int DispatchDelaySeconds { get; set; } = 30;

    public bool UsesServiceBus => !string.IsNullOrWhiteSpace(ServiceBusNamespace);
}
