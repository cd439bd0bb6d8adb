namespace Pki.Core.Renewal;

/// <summary>
/// The two renewal queues: the planner puts one batch of due certificates per message on one, the fan-out one
/// message per certificate on the other, where the renewer takes them.
/// </summary>
public interface IRenewalQueue
{
    Task SendAsync(RenewalMessage message, CancellationToken cancellationToken = default);

    Task SendBatchAsync(RenewalBatch batch, CancellationToken cancellationToken = default);
}
