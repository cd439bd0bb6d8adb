namespace Pki.Core.Discovery.Sweeps;

/// <summary>Sweeps and their finished batches, one partition per sweep.</summary>
public interface ISweepStore
{
    /// <summary>
    /// Records the sweep as the current one, not yet queued, unless the current one is still running (not all its
    /// batches done, started after <paramref name="runningIfStartedAfter"/>, not released, and either queued or started
    /// after <paramref name="queuingIfStartedAfter"/>): then returns that one's id and records nothing.
    /// Two starts at once cannot both succeed.
    /// </summary>
    Task<string?> TryBeginAsync(SweepRecord sweep, DateTimeOffset runningIfStartedAfter, DateTimeOffset queuingIfStartedAfter, CancellationToken cancellationToken = default);

    /// <summary>Every batch of the sweep is on the queue.</summary>
    Task MarkQueuedAsync(string sweepId, CancellationToken cancellationToken = default);

    /// <summary>The sweep's start failed after <paramref name="queued"/> batches: it is cut to those and blocks no other start.</summary>
    Task ReleaseAsync(string sweepId, int queued, CancellationToken cancellationToken = default);

    /// <summary>The id of the sweep started last, if any.</summary>
    Task<string?> GetCurrentIdAsync(CancellationToken cancellationToken = default);

    Task<(SweepRecord Sweep, IReadOnlyList<BatchRecord> Batches)?> GetAsync(string sweepId, CancellationToken cancellationToken = default);

    Task<bool> IsBatchDoneAsync(string sweepId, int batch, CancellationToken cancellationToken = default);

    Task CompleteBatchAsync(BatchRecord batch, CancellationToken cancellationToken = default);
}
