namespace Pki.Core.Access;

/// <summary>Counters shared by every instance of the app, one per caller and limit.</summary>
public interface IRateLimitStore
{
    /// <summary>
    /// Takes one unit of <paramref name="key"/>'s allowance in the window starting at <paramref name="windowStart"/>;
    /// false (and nothing written) when <paramref name="limit"/> units were taken in that window already.
    /// </summary>
    Task<bool> TryTakeAsync(string key, DateTimeOffset windowStart, int limit, CancellationToken cancellationToken = default);
}
