using System.Collections.Concurrent;
using Azure.Core;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// Stands in for Entra ID for the Key Vault doubles: <see cref="Credential"/> issues tokens the double accepts
/// for the scope and tenant they were asked for; <see cref="ForeignCredential"/> issues tokens it never accepts,
/// like a token from another tenant. Every token request is recorded.
/// </summary>
public sealed class DoubleTokenIssuer
{
    private readonly ConcurrentDictionary<string, TokenRequestContext> _issued = new();

    public DoubleTokenIssuer(string tokenPrefix)
    {
        Credential = new IssuingCredential(this, tokenPrefix, accepted: true);
        ForeignCredential = new IssuingCredential(this, tokenPrefix, accepted: false);
    }

    public TokenCredential Credential { get; }

    public TokenCredential ForeignCredential { get; }

    /// <summary>What each token request asked for, in order.</summary>
    public ConcurrentQueue<TokenRequestContext> Requests { get; } = new();

    /// <summary>True for a token <see cref="Credential"/> issued for exactly <paramref name="scope"/> in <paramref name="tenant"/>.</summary>
    public bool Accepts(string token, string scope, string tenant) =>
        _issued.TryGetValue(token, out var issued) && issued.Scopes is [var only] && only == scope && issued.TenantId == tenant;

    private sealed class IssuingCredential(DoubleTokenIssuer issuer, string prefix, bool accepted) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            issuer.Requests.Enqueue(requestContext);
            var token = prefix + "." + Guid.NewGuid().ToString("N");
            if (accepted)
            {
                issuer._issued[token] = requestContext;
            }

            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
