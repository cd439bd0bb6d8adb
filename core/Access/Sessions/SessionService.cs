using Microsoft.Extensions.Options;
using Pki.Core.Audit;
using Pki.Core.Errors;

namespace Pki.Core.Access.Sessions;

/// <summary>
/// Opens and closes dashboard sessions. A session is opened with an API key, once: the browser then holds only an
/// HttpOnly cookie, never the key. Every request with the cookie is authenticated by <see cref="SessionAuthenticator"/>
/// as the key's caller, so the dashboard goes through the very permission checks of the API.
/// </summary>
public sealed class SessionService(ISessionStore store, IOptions<PkiOptions> options, TimeProvider time, CallerContext callers, IAuditTrail audit)
{
    private readonly KeyAuthenticator _keys = new(SessionAuthenticator.SchemeName, KeyAuthenticator.ApiKeyHeader, options.Value.Access.ApiKeys);

    /// <summary>Whether sessions can be opened at all: only where API keys are configured (locally, and for break-glass).</summary>
    public bool Enabled => _keys.Enabled;

    public TimeSpan Lifetime => TimeSpan.FromMinutes(options.Value.Access.SessionMinutes);

    public async Task<SignedIn> SignInAsync(string? apiKey, CancellationToken cancellationToken = default)
    {
        if (!Enabled)
        {
            throw ProblemException.NotFound("sign-in-unavailable", "This deployment has no API keys; sign in through the platform (App Service authentication) instead.");
        }

        if (string.IsNullOrEmpty(apiKey))
        {
            throw ProblemException.BadRequest("invalid-sign-in", "Send {\"apiKey\": \"...\"}: the API key to open a session with.");
        }

        var result = await _keys.AuthenticateAsync(name => name == KeyAuthenticator.ApiKeyHeader ? apiKey : null, cancellationToken).ConfigureAwait(false);
        if (result.Caller is not { } caller)
        {
            throw ProblemException.Unauthorized("invalid-credentials", "That API key is not one this service knows.");
        }

        var id = SessionCookie.NewId();
        var now = time.GetUtcNow();
        var session = new SessionRecord(SessionCookie.Hash(id), KeyAuthenticator.Hash(apiKey), now, now + Lifetime);
        await store.AddAsync(session, cancellationToken).ConfigureAwait(false);
        using (callers.Enter(caller))
        {
            await audit.AppendAsync(AuditEntry.Succeeded(AuditActions.SignIn) with { Detail = $"dashboard session until {session.ExpiresAt:O}" }, CancellationToken.None).ConfigureAwait(false);
        }

        return new SignedIn(id, SessionCookie.CsrfToken(id), caller, session.ExpiresAt);
    }

    /// <summary>Ends the session the cookie names; a missing or unknown one is already ended.</summary>
    public Task SignOutAsync(string? sessionId, CancellationToken cancellationToken = default) =>
        sessionId is not null && SessionCookie.IsWellFormed(sessionId)
            ? store.DeleteAsync(SessionCookie.Hash(sessionId), cancellationToken)
            : Task.CompletedTask;

    /// <summary>The caller of a live session, or why there is none.</summary>
    public async Task<AuthenticationResult> ResolveAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        if (!SessionCookie.IsWellFormed(sessionId))
        {
            return AuthenticationResult.Fail("The session cookie is not one this service issued; sign in again.");
        }

        var session = await store.GetAsync(SessionCookie.Hash(sessionId), cancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            return AuthenticationResult.Fail("The session has ended (signed out, or unknown); sign in again.");
        }

        if (time.GetUtcNow() >= session.ExpiresAt)
        {
            // An expired row is of no further use; the next read finds nothing either way.
            await store.DeleteAsync(session.IdHash, cancellationToken).ConfigureAwait(false);
            return AuthenticationResult.Fail($"The session expired at {session.ExpiresAt:O}; sign in again.");
        }

        return _keys.CallerOf(session.KeyHash) is { } caller
            ? AuthenticationResult.Success(caller)
            : AuthenticationResult.Fail("The API key this session was opened with is no longer configured; sign in again.");
    }
}
