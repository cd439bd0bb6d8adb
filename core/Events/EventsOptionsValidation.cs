namespace Pki.Core.Events;

/// <summary>Start-up checks of <c>Pki:Events</c>, each naming the setting (called by <see cref="PkiOptionsValidator"/>).</summary>
public static class EventsOptionsValidation
{
    public static void Validate(EventsOptions e, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Events";
        var hasNamespace = !string.IsNullOrWhiteSpace(e.ServiceBusNamespace);
        var hasTopic = !string.IsNullOrWhiteSpace(e.Topic);
        if (hasNamespace && !hasTopic)
        {
            errors.Add($"{s}:Topic is required when {s}:ServiceBusNamespace is set (the deployment's topic is lifecycle-events).");
        }

        if (hasTopic && !hasNamespace)
        {
            errors.Add($"{s}:ServiceBusNamespace is required when {s}:Topic is set; leave both empty to publish to the local storage queue.");
        }

        if (hasNamespace && (Uri.CheckHostName(e.ServiceBusNamespace) != UriHostNameType.Dns || !e.ServiceBusNamespace!.Contains('.', StringComparison.Ordinal)))
        {
            errors.Add($"{s}:ServiceBusNamespace must be the fully qualified namespace, such as NAME.servicebus.windows.net (no scheme, no connection string); got '{e.ServiceBusNamespace}'.");
        }

        OptionRanges.Add(s, [("DispatchDelaySeconds", e.DispatchDelaySeconds, 0, 600)], errors);
    }
}
