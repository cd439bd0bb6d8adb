using Microsoft.Extensions.Options;
using Pki.Core.Audit;
using Pki.Core.Errors;

namespace Pki.Core.Access.Sessions;

/// <summary>
/// Opens and closes dashboard sessions. A session is opened with an API key, once: the browser then holds only an
/// HttpOnly cookie, never the key. Every request with the cookie is authenticated by <see cref="SessionAuthenticator"/>
/// as the key's caller, so the dashboard goes through the very permission checks of the API.
/// </summary>
public sealed class SessionService(ISessionStore store, SignInThrottle throttle, IOptions<PkiOptions> options, TimeProvider time, CallerContext callers, IAuditTrail audit)
{
    /// <summary>Hours the first sweep looks back (the longest session is 12 hours); later sweeps continue from their cursor.</summary>
    public const int FirstSweepHours = 48;

    /// <summary>Hours one sweep covers at most, so a sweep after a long outage stays bounded; the next one continues.</summary>
    public const int MaxSweepHours = 24 * 7;

    private readonly KeyAuthenticator _keys = new(SessionAuthenticator.SchemeName, KeyAuthenticator.ApiKeyHeader, options.Value.Access.ApiKeys);

    /// <summary>Whether sessions can be opened at all: only where API keys are configured (locally, and for break-glass).</summary>
    public bool Enabled => _keys.Enabled;

    public TimeSpan Lifetime => TimeSpan.FromMinutes(options.Value.Access.SessionMinutes);

    /// <summary>Longer than any key this service hands out; a longer one is refused before it is hashed or counted.</summary>
    public const int MaxApiKeyLength = 512;

    /// <param name="client">The client's address, for the failed-sign-in limit (null when unknown: then only the key prefix counts).</param>
    public async Task<SignedIn> SignInAsync(string? apiKey, string? client = null, CancellationToken cancellationToken = default)
    {
        if (!Enabled)
        {
            throw ProblemException.NotFound("sign-in-unavailable", "This deployment has no API keys; sign in through the platform (App Service authentication) instead.");
        }

        if (string.IsNullOrEmpty(apiKey))
        {
            throw ProblemException.BadRequest("invalid-sign-in", "Send {\"apiKey\": \"...\"}: the API key to open a session with.");
        }

        if (apiKey.Length > MaxApiKeyLength)
        {
            throw ProblemException.BadRequest("invalid-sign-in", $"An API key has at most {MaxApiKeyLength} characters.");
        }

        // Before the key is looked at: a client past its failures is refused even with the right key, so guessing stops.
        await throttle.CheckAsync(client, apiKey, cancellationToken).ConfigureAwait(false);
        var result = await _keys.AuthenticateAsync(name => name == KeyAuthenticator.ApiKeyHeader ? apiKey : null, cancellationToken).ConfigureAwait(false);
        if (result.Caller is not { } caller)
        {
            await throttle.FailedAsync(client, apiKey, CancellationToken.None).ConfigureAwait(false);
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

    /// <summary>
    /// The sweep (a timer, hourly): deletes the sessions of every hour that has fully passed since the last sweep, read
    /// from the expiry index (one partition per hour), so its cost follows the sessions that ended, never the table. A
    /// session read after its end is deleted on that read too; the sweep removes those nobody reads again.
    /// </summary>
    /// <returns>How many expired sessions were deleted.</returns>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var current = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour), TimeSpan.Zero);
        var last = current.AddHours(-1);
        var from = (await store.GetSweptThroughAsync(cancellationToken).ConfigureAwait(false) ?? current.AddHours(-FirstSweepHours - 1)).AddHours(1);
        var deleted = 0;
        for (var hour = from; hour <= last && hour < from.AddHours(MaxSweepHours); hour = hour.AddHours(1))
        {
            var ids = new List<string>();
            await foreach (var id in store.ListExpiringAsync(hour, cancellationToken).ConfigureAwait(false))
            {
                ids.Add(id);
            }

            foreach (var id in ids)
            {
                await store.DeleteExpiredAsync(hour, id, cancellationToken).ConfigureAwait(false);
                deleted++;
            }

            await store.SetSweptThroughAsync(hour, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

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
