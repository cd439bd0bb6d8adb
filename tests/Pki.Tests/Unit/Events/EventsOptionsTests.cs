using Pki.Core;
using Pki.Core.Signing;

namespace Pki.Tests.Unit.Events;

public sealed class EventsOptionsTests
{
    private static PkiOptions Valid() => new()
    {
        PublicBaseUrl = "http://localhost:7071",
        Signing = new SigningOptions
        {
            Provider = "pkcs11",
            Pkcs11 = { LibraryPath = typeof(EventsOptionsTests).Assembly.Location, TokenLabel = "t", UserPin = "1234" },
        },
        Storage = { ConnectionString = "UseDevelopmentStorage=true" },
    };

    [Theory]
    [InlineData(null, null)]
    [InlineData("pki-dev.servicebus.windows.net", "lifecycle-events")]
    public void Neither_or_both_of_namespace_and_topic_pass(string? ns, string? topic)
    {
        var options = Valid();
        options.Events.ServiceBusNamespace = ns;
        options.Events.Topic = topic;
        Assert.True(new PkiOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("pki-dev.servicebus.windows.net", null, "Pki:Events:Topic is required")]
    [InlineData(null, "lifecycle-events", "Pki:Events:ServiceBusNamespace is required")]
    [InlineData("https://pki-dev.servicebus.windows.net/", "lifecycle-events", "Pki:Events:ServiceBusNamespace must be the fully qualified namespace")]
    [InlineData("Endpoint=sb://pki-dev.servicebus.windows.net/;SharedAccessKeyName=x", "lifecycle-events", "Pki:Events:ServiceBusNamespace must be")]
    public void A_half_or_wrong_service_bus_setting_fails_naming_the_setting(string? ns, string? topic, string message)
    {
        var options = Valid();
        options.Events.ServiceBusNamespace = ns;
        options.Events.Topic = topic;
        var result = new PkiOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
    }

    [Fact]
    public void Dispatch_delay_out_of_range_is_named()
    {
        var options = Valid();
        options.Events.DispatchDelaySeconds = -1;
        Assert.Contains("Pki:Events:DispatchDelaySeconds", new PkiOptionsValidator().Validate(null, options).FailureMessage);
    }
}
