namespace Pki.Core.Acme;

/// <summary>Which key reference an endpoint takes (RFC 8555 §6.2): <c>jwk</c> for newAccount, <c>kid</c> for the rest, either for revokeCert.</summary>
public enum AcmeKeyMode
{
    Jwk,
    Kid,
    Either,
}
