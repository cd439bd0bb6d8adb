namespace Pki.Core.Discovery.Targets;

/// <summary>Discovery targets, all in one partition: a sweep reads them in one range query.</summary>
public interface ITargetStore
{
    Task AddAsync(DiscoveryTarget target, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<DiscoveryTarget>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>False when no target has this id.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);
}
