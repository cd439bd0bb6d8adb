namespace Pki.Core.Access.Sessions;

/// <summary>
/// The dashboard's session cookie, resolved to the caller of the API key it was opened with. The caller's
/// authentication method is <see cref="SchemeName"/>, by which the HTTP layer knows to demand the CSRF token on state-changing calls.
/// </summary>
public sealed class SessionAuthenticator(SessionService sessions) : IAuthenticator
{
    public const string SchemeName = "session";

    public string Scheme => SchemeName;

    public bool Enabled => sessions.Enabled;

    public Task<AuthenticationResult> AuthenticateAsync(Func<string, string?> header, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        return SessionCookie.Read(header("Cookie")) is { } id
            ? sessions.ResolveAsync(id, cancellationToken)
            : Task.FromResult(AuthenticationResult.None);
    }
}
