using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Pki.Core.Storage;

/// <summary>
/// Counts every HTTP request the service sends to its storage account (retries included, a batch transaction once),
/// by service and by phase: what an operation costs in storage round trips, as telemetry (OpenTelemetry and Application
/// Insights read the meter) and for local/bench, which reads it through the dev host.
/// </summary>
/// <remarks>
/// The phase is what the request was sent for: <see cref="RequestPhase"/> while an HTTP request is being answered,
/// <see cref="FollowUpPhase"/> for what follows an answered issuance, <see cref="OtherPhase"/> for the rest (timers,
/// queues). A group-committed transaction counts once, in the phase of the write that opened it.
/// </remarks>
public static class StorageMetrics
{
    public const string MeterName = "Pki.Storage";
    public const string RequestsInstrument = "pki.storage.requests";
    public const string ServiceTag = "service";
    public const string PhaseTag = "phase";

    public const string RequestPhase = "request";
    public const string FollowUpPhase = "follow-up";
    public const string OtherPhase = "other";

    private static readonly AsyncLocal<string?> CurrentPhase = new();

    /// <summary>Counts the storage requests of this async flow, until disposed, in <paramref name="phase"/>.</summary>
    public static IDisposable Phase(string phase)
    {
        var prior = CurrentPhase.Value;
        CurrentPhase.Value = phase;
        return new PhaseScope(prior);
    }

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

        public override void OnSendingRequest(HttpMessage message) =>
            Requests.Add(1, _tag, new KeyValuePair<string, object?>(PhaseTag, CurrentPhase.Value ?? OtherPhase));
    }

    private sealed class PhaseScope(string? prior) : IDisposable
    {
        public void Dispose() => CurrentPhase.Value = prior;
    }
}
