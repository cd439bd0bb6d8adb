namespace Pki.Core.Access.Sessions;

/// <summary>A session just opened: the cookie's value (for Set-Cookie only), its CSRF token and who it acts as.</summary>
public sealed record SignedIn(string SessionId, string CsrfToken, Caller Caller, DateTimeOffset ExpiresAt);
