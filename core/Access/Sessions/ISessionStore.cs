namespace Pki.Core.Access.Sessions;

/// <summary>Dashboard sessions, shared by every instance of the app: one point read per request.</summary>
public interface ISessionStore
{
    Task AddAsync(SessionRecord session, CancellationToken cancellationToken = default);

    Task<SessionRecord?> GetAsync(string idHash, CancellationToken cancellationToken = default);

    /// <summary>Removes the session; nothing happens when it is gone already.</summary>
    Task DeleteAsync(string idHash, CancellationToken cancellationToken = default);
}
