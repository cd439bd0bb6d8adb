namespace Pki.Core.Access.Sessions;

/// <summary>Failed sign-in counters shared by every instance: one per client address or key prefix and window.</summary>
public interface ISignInAttemptStore
{
    /// <summary>The failures counted for <paramref name="key"/> in the window starting at <paramref name="windowStart"/>.</summary>
    Task<int> CountAsync(string key, DateTimeOffset windowStart, CancellationToken cancellationToken = default);

    /// <summary>Counts one more failure for <paramref name="key"/> in that window; the count after it.</summary>
    Task<int> AddFailureAsync(string key, DateTimeOffset windowStart, CancellationToken cancellationToken = default);
}
