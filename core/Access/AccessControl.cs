using Pki.Core.Errors;

namespace Pki.Core.Access;

/// <summary>
/// The one place a request's caller is established and its permission checked, before any core call.
/// A credential that is presented and invalid is refused outright; no other scheme is tried after it.
/// </summary>
public sealed class AccessControl(IEnumerable<IAuthenticator> authenticators)
{
    private readonly IAuthenticator[] _authenticators = [.. authenticators.Where(a => a.Enabled)];

    /// <summary>The schemes this deployment accepts, as a 401 lists them.</summary>
    public IReadOnlyList<string> Schemes => [.. _authenticators.Select(a => a.Scheme)];

    /// <summary>The WWW-Authenticate challenges of a 401: one per configured scheme that a client can answer itself.</summary>
    public string[] Challenges() => [.. _authenticators.Select(a => a.Scheme switch
    {
        "entra" => "Bearer realm=\"serverless-pki\"",
        "api-key" => $"ApiKey realm=\"serverless-pki\", header=\"{KeyAuthenticator.ApiKeyHeader}\"",
        "function-key" => $"ApiKey realm=\"serverless-pki\", header=\"{KeyAuthenticator.FunctionKeyHeader}\"",
        _ => null,
    }).OfType<string>()];

    public async Task<Caller> AuthenticateAsync(Func<string, string?> header, CancellationToken cancellationToken = default)
    {
        foreach (var authenticator in _authenticators)
        {
            var result = await authenticator.AuthenticateAsync(header, cancellationToken).ConfigureAwait(false);
            if (result.Caller is { } caller)
            {
                return caller;
            }

            if (result.Failure is { } failure)
            {
                throw ProblemException.Unauthorized("invalid-credentials", failure);
            }
        }

        throw ProblemException.Unauthorized("authentication-required", _authenticators.Length == 0
            ? "This endpoint needs an authenticated caller, and no way of authenticating is configured (see Pki:Access in the README)."
            : $"This endpoint needs an authenticated caller; accepted: {string.Join(", ", Schemes)}.");
    }

    public static void Authorize(Caller caller, Permission permission)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.Has(permission))
        {
            throw ProblemException.Forbidden("missing-permission",
                $"Caller '{caller.Id}' lacks the permission {permission} (roles: {(caller.Roles.Count == 0 ? "none" : string.Join(", ", caller.Roles.Order()))}).");
        }
    }
}
