namespace Pki.Core.Access;

/// <summary>One way of proving who is calling (an API key, an Entra token, …), over the request's headers.</summary>
public interface IAuthenticator
{
    /// <summary>The scheme, as the 401 problem lists what the service accepts.</summary>
    string Scheme { get; }

    /// <summary>Whether this way is configured at all; an unconfigured one is never tried.</summary>
    bool Enabled { get; }

    /// <summary>
    /// <see cref="AuthenticationResult.None"/> when the request carries no credential of this kind; a failure
    /// when it carries one that is not valid (the caller is refused, no other scheme is tried).
    /// </summary>
    Task<AuthenticationResult> AuthenticateAsync(Func<string, string?> header, CancellationToken cancellationToken = default);
}
