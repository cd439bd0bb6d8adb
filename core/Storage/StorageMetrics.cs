using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Pki.Core.Storage;

/// <summary>
/// Counts every HTTP request the service sends to its storage account (retries included, a batch transaction once),
/// by service: what an operation costs in storage round trips, as telemetry (OpenTelemetry and Application Insights
/// read the meter) and for local/bench, which reads it through the dev host.
/// </summary>
public static class StorageMetrics
{
    public const string MeterName = "Pki.Storage";
    public const string RequestsInstrument = "pki.storage.requests";
    public const string ServiceTag = "service";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(RequestsInstrument, "{request}", "HTTP requests sent to the storage account, retries included");

    /// <summary>Adds the counting policy to a client's options, per retry so that every attempt is one round trip.</summary>
    public static T Counted<T>(T options, string service)
        where T : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(new CountingPolicy(service), HttpPipelinePosition.PerRetry);
        return options;
    }

    private sealed class CountingPolicy(string service) : HttpPipelineSynchronousPolicy
    {
        private readonly KeyValuePair<string, object?> _tag = new(ServiceTag, service);

        public override void OnSendingRequest(HttpMessage message) => Requests.Add(1, _tag);
    }
}
