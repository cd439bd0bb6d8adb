using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Pki.Core.Storage;

namespace Pki.Local;

/// <summary>
/// The storage requests this process has sent since it started, by service and phase ("table/request"), summed from
/// <see cref="StorageMetrics"/>; served to admins at <see cref="Route"/> so local/bench can count round trips per issuance.
/// </summary>
public sealed class StorageRequestTotals : IDisposable
{
    public const string Route = "/admin/metrics/storage-requests";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);

    public StorageRequestTotals()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName && instrument.Name == StorageMetrics.RequestsInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var service = "other";
            var phase = StorageMetrics.OtherPhase;
            foreach (var tag in tags)
            {
                if (tag.Key == StorageMetrics.ServiceTag)
                {
                    service = tag.Value as string ?? service;
                }
                else if (tag.Key == StorageMetrics.PhaseTag)
                {
                    phase = tag.Value as string ?? phase;
                }
            }

            _totals.AddOrUpdate(service + "/" + phase, value, (_, total) => total + value);
        });
        _listener.Start();
    }

    public IReadOnlyDictionary<string, long> Snapshot() => new SortedDictionary<string, long>(_totals, StringComparer.Ordinal);

    public void Dispose() => _listener.Dispose();
}
