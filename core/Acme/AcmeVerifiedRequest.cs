namespace Pki.Core.Acme;

/// <summary>A request whose signature, nonce and URL were checked: the JWS, the key that signed it, and its account when it named one by <c>kid</c>.</summary>
public sealed record AcmeVerifiedRequest(JwsMessage Jws, AcmeJwk Key, Versioned<AcmeAccount>? Account)
{
    public AcmeAccount RequireAccount() => Account?.Value ?? throw new InvalidOperationException("This request was verified without an account.");
}
