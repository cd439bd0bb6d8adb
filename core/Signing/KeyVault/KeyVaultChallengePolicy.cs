using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Pki.Core.Signing.KeyVault;

/// <summary>
/// Key Vault's challenge-based bearer authentication, as the Key Vault SDK does it: the first request goes
/// without a token (and without its body), the vault answers 401 with
/// <c>WWW-Authenticate: Bearer authorization="https://login.../{tenant}", resource="https://vault.azure.net"</c>,
/// and the token is then asked for <c>{resource}/.default</c> in that tenant. Later requests reuse what the
/// challenge said.
/// </summary>
internal sealed partial class KeyVaultChallengePolicy(TokenCredential credential, bool verifyChallengeResource)
    : BearerTokenAuthenticationPolicy(credential, Array.Empty<string>())
{
    private const string StashedContentKey = "Pki.KeyVault.StashedContent";

    private volatile Challenge? _challenge;

    protected override ValueTask AuthorizeRequestAsync(HttpMessage message) => AuthorizeAsync(message, async: true);

    protected override void AuthorizeRequest(HttpMessage message) => AuthorizeAsync(message, async: false).GetAwaiter().GetResult();

    protected override ValueTask<bool> AuthorizeRequestOnChallengeAsync(HttpMessage message) => OnChallengeAsync(message, async: true);

    protected override bool AuthorizeRequestOnChallenge(HttpMessage message) => OnChallengeAsync(message, async: false).GetAwaiter().GetResult();

    private async ValueTask AuthorizeAsync(HttpMessage message, bool async)
    {
        if (_challenge is { } known)
        {
            await AuthenticateAsync(message, known.Context(message), async).ConfigureAwait(false);
            return;
        }

        // Until the vault has named its tenant and resource, nothing worth protecting is sent: the body
        // waits for the challenge (kept once, so a retry of the bare request does not lose it).
        if (message.Request.Content is { } content && !message.TryGetProperty(StashedContentKey, out _))
        {
            message.SetProperty(StashedContentKey, content);
            message.Request.Content = RequestContent.Create(Array.Empty<byte>());
        }
    }

    private async ValueTask<bool> OnChallengeAsync(HttpMessage message, bool async)
    {
        if (message.TryGetProperty(StashedContentKey, out var stashed) && stashed is RequestContent content)
        {
            message.Request.Content = content;
        }

        if (!message.Response.Headers.TryGetValue("WWW-Authenticate", out var header) || Parse(header) is not { } challenge)
        {
            return false;
        }

        if (verifyChallengeResource)
        {
            var resourceHost = new Uri(challenge.Scope).Host;
            var vaultHost = message.Request.Uri.Host ?? string.Empty;
            if (!vaultHost.EndsWith("." + resourceHost, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"Key Vault at {vaultHost} asked for a token for resource '{challenge.Scope}', whose domain is not the vault's; no token was sent. "
                    + "Address the vault by its own host name (e.g. NAME.vault.azure.net).");
            }
        }

        _challenge = challenge;
        await AuthenticateAsync(message, challenge.Context(message), async).ConfigureAwait(false);
        return true;
    }

    private async ValueTask AuthenticateAsync(HttpMessage message, TokenRequestContext context, bool async)
    {
        if (async)
        {
            await AuthenticateAndAuthorizeRequestAsync(message, context).ConfigureAwait(false);
        }
        else
        {
            AuthenticateAndAuthorizeRequest(message, context);
        }
    }

    /// <summary>The Bearer challenge's scope (or resource + /.default) and tenant, or null when it has neither.</summary>
    internal static Challenge? Parse(string header)
    {
        var bearer = header.IndexOf("Bearer", StringComparison.OrdinalIgnoreCase);
        if (bearer < 0)
        {
            return null;
        }

        var parameters = ParameterPattern().Matches(header[(bearer + "Bearer".Length)..])
            .GroupBy(m => m.Groups[1].Value, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Groups[2].Value, StringComparer.OrdinalIgnoreCase);

        var scope = parameters.GetValueOrDefault("scope") is { Length: > 0 } s ? s
            : parameters.GetValueOrDefault("resource") is { Length: > 0 } r ? r.TrimEnd('/') + "/.default"
            : null;
        if (scope is null || !Uri.TryCreate(scope, UriKind.Absolute, out _))
        {
            return null;
        }

        var authorization = parameters.GetValueOrDefault("authorization") ?? parameters.GetValueOrDefault("authorization_uri");
        string? tenant = null;
        if (authorization is not null && Uri.TryCreate(authorization, UriKind.Absolute, out var authority))
        {
            tenant = authority.AbsolutePath.Trim('/').Split('/')[0] is { Length: > 0 } t ? t : null;
        }

        return new Challenge(scope, tenant);
    }

    [GeneratedRegex(@"([A-Za-z_]+)=""([^""]*)""")]
    private static partial Regex ParameterPattern();

    internal sealed record Challenge(string Scope, string? Tenant)
    {
        public TokenRequestContext Context(HttpMessage message) =>
            new([Scope], parentRequestId: message.Request.ClientRequestId, tenantId: Tenant);
    }
}
