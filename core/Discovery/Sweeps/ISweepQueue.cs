namespace Pki.Core.Discovery.Sweeps;

/// <summary>Where a sweep's batches go; a queue-triggered scanner takes them from there.</summary>
public interface ISweepQueue
{
    Task SendAsync(SweepBatch batch, CancellationToken cancellationToken = default);
}
