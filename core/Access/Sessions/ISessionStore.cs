namespace Pki.Core.Access.Sessions;

/// <summary>Dashboard sessions, shared by every instance of the app: one point read per request.</summary>
public interface ISessionStore
{
    Task AddAsync(SessionRecord session, CancellationToken cancellationToken = default);

    Task<SessionRecord?> GetAsync(string idHash, CancellationToken cancellationToken = default);

    /// <summary>Removes the session; nothing happens when it is gone already.</summary>
    Task DeleteAsync(string idHash, CancellationToken cancellationToken = default);

    /// <summary>The sessions that expire within the hour starting at <paramref name="hour"/> (the expiry index, one partition per hour).</summary>
    IAsyncEnumerable<string> ListExpiringAsync(DateTimeOffset hour, CancellationToken cancellationToken = default);

    /// <summary>Removes a session and its expiry-index row; nothing happens for what is gone already.</summary>
    Task DeleteExpiredAsync(DateTimeOffset hour, string idHash, CancellationToken cancellationToken = default);

    /// <summary>The last hour the sweep finished, or null before the first sweep.</summary>
    Task<DateTimeOffset?> GetSweptThroughAsync(CancellationToken cancellationToken = default);

    Task SetSweptThroughAsync(DateTimeOffset hour, CancellationToken cancellationToken = default);
}
