using Pki.Core.Errors;

namespace Pki.Core.Acme;

/// <summary>
/// Checks every ACME POST as Boulder's and step-ca's front ends do, cheapest and stateless first: the JWS shape and
/// algorithm, the key reference the endpoint takes, the key (the account's, for <c>kid</c>), the signature; only then is
/// the nonce used up (so a forged request cannot burn nonces), and last the <c>url</c> header is held to the URL the
/// client used. A refusal throws before the endpoint stores anything.
/// </summary>
public sealed class AcmeRequestVerifier(IAcmeStore store, AcmeNonces nonces)
{
    public async Task<AcmeVerifiedRequest> VerifyAsync(AcmePost post, AcmeKeyMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(post);
        var jws = JwsMessage.Parse(post.Body);
        var urls = new AcmeUrls(post.BaseUrl);
        AcmeJwk key;
        Versioned<AcmeAccount>? account = null;
        if (jws.Jwk is { } jwk)
        {
            if (mode == AcmeKeyMode.Kid)
            {
                throw AcmeProblemException.Malformed("This endpoint takes 'kid' (your account URL), not 'jwk'.");
            }

            key = jwk;
        }
        else
        {
            if (mode == AcmeKeyMode.Jwk)
            {
                throw AcmeProblemException.Malformed("newAccount takes the account key in 'jwk', not a 'kid'.");
            }

            var id = urls.AccountIdOf(jws.Kid!)
                ?? throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.AccountDoesNotExist, "The 'kid' is not an account URL of this server.");
            account = await store.GetAccountAsync(id, cancellationToken).ConfigureAwait(false)
                ?? throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.AccountDoesNotExist, "No account has the URL in 'kid'.");
            if (account.Value.Status != AcmeAccount.Valid)
            {
                throw AcmeProblemException.Unauthorized($"The account is {account.Value.Status}.");
            }

            key = AcmeJwk.FromCanonical(account.Value.KeyJson);
        }

        if (!key.Verify(jws.Alg, jws.SigningInput, jws.Signature))
        {
            throw AcmeProblemException.Malformed("The JWS signature does not verify with the " + (jws.Jwk is null ? "account's key." : "key in 'jwk'."));
        }

        await nonces.ConsumeAsync(jws.Nonce, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(jws.Url, post.Url, StringComparison.Ordinal))
        {
            throw AcmeProblemException.Unauthorized($"The JWS 'url' header ({Clip(jws.Url)}) is not the URL this request was sent to ({post.Url}).");
        }

        return new AcmeVerifiedRequest(jws, key, account);
    }

    private static string Clip(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
