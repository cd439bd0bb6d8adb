namespace Pki.Core.Access;

/// <summary>Counters shared by every instance of the app, one per caller and limit.</summary>
public interface IRateLimitStore
{
    /// <summary>
    /// Takes up to <paramref name="wanted"/> units of <paramref name="key"/>'s allowance in the window starting at
    /// <paramref name="windowStart"/>; the number taken, 0 (and nothing written) when <paramref name="limit"/> units
    /// were taken in that window already.
    /// </summary>
    Task<int> TakeAsync(string key, DateTimeOffset windowStart, int limit, int wanted, CancellationToken cancellationToken = default);
}
