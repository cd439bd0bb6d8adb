namespace Pki.Core.Renewal;

/// <summary>Where the planner puts one message per due certificate.</summary>
public interface IRenewalQueue
{
    Task SendAsync(RenewalMessage message, CancellationToken cancellationToken = default);
}
