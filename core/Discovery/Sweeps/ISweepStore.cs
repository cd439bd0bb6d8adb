namespace Pki.Core.Discovery.Sweeps;

/// <summary>Sweeps and their finished batches, one partition per sweep.</summary>
public interface ISweepStore
{
    Task CreateAsync(SweepRecord sweep, CancellationToken cancellationToken = default);

    Task<(SweepRecord Sweep, IReadOnlyList<BatchRecord> Batches)?> GetAsync(string sweepId, CancellationToken cancellationToken = default);

    Task<bool> IsBatchDoneAsync(string sweepId, int batch, CancellationToken cancellationToken = default);

    Task CompleteBatchAsync(BatchRecord batch, CancellationToken cancellationToken = default);
}
