namespace Pki.Core.Access.Sessions;

/// <summary>
/// Which state-changing calls must carry <see cref="SessionCookie.CsrfHeader"/>, and the secret its token is bound to.
/// A call is exposed to cross-site request forgery when a browser adds its credential on its own: the dashboard's
/// session cookie, and App Service authentication's session cookie (<c>AppServiceAuthSession</c>), from which the
/// platform derives the principal header we trust. Such a call must carry the HMAC of that cookie's value, which only
/// the server can compute (the cookie is HttpOnly) and which <c>GET /api/session</c> gives the dashboard. A call to App
/// Service with an <c>Authorization</c> header (a bearer token App Service validated) carries no ambient credential,
/// since no browser adds that header to another site's request, and needs no token. Keys and function keys likewise.
/// </summary>
public static class CsrfRule
{
    /// <summary>Whether a state-changing call by <paramref name="caller"/> must prove it comes from the dashboard's own page.</summary>
    public static bool Applies(Caller caller, Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(header);
        return caller.AuthenticationMethod switch
        {
            SessionAuthenticator.SchemeName => true,
            AppServicePrincipalAuthenticator.SchemeName => string.IsNullOrEmpty(header("Authorization")),
            _ => false,
        };
    }

    /// <summary>The cookie value the caller's CSRF token is the HMAC of; null when it sent none (then no token can hold).</summary>
    public static string? SecretOf(Caller caller, Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(header);
        var cookie = caller.AuthenticationMethod switch
        {
            SessionAuthenticator.SchemeName => SessionCookie.Read(header("Cookie")),
            AppServicePrincipalAuthenticator.SchemeName => SessionCookie.Read(header("Cookie"), AppServicePrincipalAuthenticator.SessionCookieName),
            _ => null,
        };
        return string.IsNullOrEmpty(cookie) ? null : cookie;
    }

    /// <summary>Whether a state-changing call may proceed: no token needed, or the token of the caller's cookie.</summary>
    public static bool Holds(Caller caller, Func<string, string?> header) =>
        !Applies(caller, header) || (SecretOf(caller, header) is { } secret && SessionCookie.CsrfHolds(secret, header(SessionCookie.CsrfHeader)));
}
