using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pki.Core;
using Pki.Core.Events;
using Pki.Core.Storage;

namespace Pki.Tests.Unit.Events;

/// <summary>
/// The Service Bus mapping, checked without a broker: no Service Bus emulator runs here (it needs Docker), so
/// sending itself is not exercised; the storage-queue publisher is tested end to end against Azurite.
/// </summary>
public sealed class EventPublisherTests
{
    [Fact]
    public void Service_bus_message_carries_the_event_id_for_duplicate_detection_and_the_certificate_as_session()
    {
        var record = EventCertificates.Issued("web.corp.internal", "0a1b2c3d4e5f60718293");
        var cloudEvent = EventCertificates.Events().Issued(record);

        var message = ServiceBusEventPublisher.ToMessage(cloudEvent);

        Assert.Equal(cloudEvent.Id, message.MessageId);
        Assert.Equal(record.SerialNumber, message.SessionId);
        Assert.Equal(record.SerialNumber, message.PartitionKey);
        Assert.Equal("application/cloudevents+json", message.ContentType);
        Assert.Equal(LifecycleEventTypes.Issued, message.Subject);
        Assert.Equal(cloudEvent.ToJsonBytes(), message.Body.ToArray());
        Assert.Equal("1.0", JsonDocument.Parse(message.Body.ToString()).RootElement.GetProperty("specversion").GetString());
    }

    [Fact]
    public async Task Service_bus_is_chosen_when_namespace_and_topic_are_set()
    {
        await using var services = Services(("Pki:Events:ServiceBusNamespace", "pki-dev.servicebus.windows.net"), ("Pki:Events:Topic", "lifecycle-events"));
        Assert.IsType<ServiceBusEventPublisher>(services.GetRequiredService<ILifecycleEventPublisher>());
    }

    [Fact]
    public async Task The_storage_queue_is_chosen_when_no_service_bus_is_configured()
    {
        await using var services = Services();
        Assert.IsType<StorageQueueEventPublisher>(services.GetRequiredService<ILifecycleEventPublisher>());
    }

    private static ServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pki:PublicBaseUrl"] = "http://localhost:7071",
            ["Pki:Signing:Provider"] = "pkcs11",
            ["Pki:Signing:Pkcs11:LibraryPath"] = typeof(EventPublisherTests).Assembly.Location,
            ["Pki:Signing:Pkcs11:TokenLabel"] = "t",
            ["Pki:Signing:Pkcs11:UserPin"] = "1234",
            ["Pki:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        }.Concat(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))).Build();
        return new ServiceCollection().AddLogging().AddPkiCore(configuration).BuildServiceProvider();
    }
}
