using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Access.Sessions;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>
/// The dashboard's sign-in: an API key, sent once, is exchanged for a short-lived HttpOnly, SameSite=Strict cookie that
/// every later call authenticates with (as the key's caller), and a CSRF token the page keeps in memory only.
/// </summary>
public sealed class DashboardSession(HttpFunction http, SessionService sessions, IOptions<PkiOptions> options, ILogger<DashboardSession> logger)
{
    [ApiOperation("Open a dashboard session with an API key: sets the session cookie, answers the CSRF token.", Request = typeof(DashboardSession.SignInInput), Response = typeof(DashboardSession.SessionView), Status = 201, Public = true)]
    [Function(nameof(SignIn))]
    public Task<IActionResult> SignIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Session)] HttpRequest req,
        CancellationToken cancellationToken) =>
        HttpFunction.RunPublicAsync(req, logger, async () =>
        {
            var input = await RequestBody.ReadJsonAsync<SignInInput>(req, options.Value.MaxRequestBytes, cancellationToken);
            var signedIn = await sessions.SignInAsync(input.ApiKey, ClientAddress.Of(req, options.Value.Access.ForwardedForHops), cancellationToken);
            req.HttpContext.Response.Cookies.Append(SessionCookie.Name, signedIn.SessionId, Cookie(req, sessions.Lifetime));
            req.HttpContext.Response.Headers.CacheControl = "no-store";
            return Json.Result(SessionView.Of(signedIn.Caller, signedIn.CsrfToken, signedIn.ExpiresAt), StatusCodes.Status201Created);
        });

    [ApiOperation("Who the caller is, its permissions and (for a cookie session) its CSRF token.", Response = typeof(DashboardSession.SessionView))]
    [Function(nameof(GetSession))]
    public Task<IActionResult> GetSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Session)] HttpRequest req) =>
        http.RunAuthenticatedAsync(req, logger, caller =>
        {
            req.HttpContext.Response.Headers.CacheControl = "no-store";
            // The token of whichever browser session the caller came with: ours, or App Service authentication's.
            var secret = CsrfRule.SecretOf(caller, name => HttpFunction.Header(req, name));
            return Task.FromResult(Json.Result(SessionView.Of(caller, secret is null ? null : SessionCookie.CsrfToken(secret), null)));
        });

    [ApiOperation("End the dashboard session.", Status = 204)]
    [Function(nameof(SignOut))]
    public Task<IActionResult> SignOut(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.Session)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAuthenticatedAsync(req, logger, async _ =>
        {
            await sessions.SignOutAsync(SessionCookie.Read(HttpFunction.Header(req, "Cookie")), cancellationToken);
            req.HttpContext.Response.Cookies.Delete(SessionCookie.Name, Cookie(req, TimeSpan.Zero));
            return new NoContentResult();
        });

    /// <summary>
    /// Scoped to the API's prefix, unreadable by script, never sent by another site's page. Secure wherever the page is
    /// not on a loopback address (browsers keep Secure cookies from https only; the dev host serves http on loopback).
    /// </summary>
    private static CookieOptions Cookie(HttpRequest req, TimeSpan lifetime) => new()
    {
        Path = "/" + Routes.Prefix,
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = req.IsHttps || !IsLoopback(req.Host.Host),
        MaxAge = lifetime,
        IsEssential = true,
    };

    private static bool IsLoopback(string host) =>
        host is "localhost" or "127.0.0.1" or "[::1]" or "::1";

    public sealed record SignInInput(string? ApiKey);

    /// <summary>Who the page acts as, what it may offer, and (for a cookie session) the CSRF token and its end.</summary>
    public sealed record SessionView(string Id, string? Team, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions, string AuthenticationMethod, string? CsrfToken, DateTimeOffset? ExpiresAt)
    {
        public static SessionView Of(Caller caller, string? csrfToken, DateTimeOffset? expiresAt) => new(
            caller.Id, caller.Team, [.. caller.Roles.Order(StringComparer.Ordinal)], [.. caller.Permissions.Select(p => p.ToString()).Order(StringComparer.Ordinal)],
            caller.AuthenticationMethod, csrfToken, expiresAt);
    }
}
