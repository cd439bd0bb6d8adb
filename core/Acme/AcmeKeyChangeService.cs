using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pki.Core.Audit;
using Pki.Core.Errors;

namespace Pki.Core.Acme;

/// <summary>
/// Account key rollover (RFC 8555 §7.3.5). The outer JWS is signed by the account's current key (<c>kid</c>); its payload
/// is an inner JWS signed by the new key, carrying that key in <c>jwk</c>, no nonce, the same <c>url</c>, and the payload
/// <c>{account, oldKey}</c>, where <c>account</c> is the outer <c>kid</c> and <c>oldKey</c> the account's current key,
/// both compared exactly. A new key that another account holds is refused with 409 and that account's URL.
/// </summary>
public sealed class AcmeKeyChangeService(AcmeRequestVerifier verifier, IAcmeStore store, IAuditTrail audit, ILogger<AcmeKeyChangeService> logger)
{
    public async Task<AcmeResponse> KeyChangeAsync(AcmePost post, CancellationToken cancellationToken = default)
    {
        var request = await verifier.VerifyAsync(post, AcmeKeyMode.Kid, cancellationToken).ConfigureAwait(false);
        var urls = new AcmeUrls(post.BaseUrl);
        var found = request.Account!;
        var account = found.Value;
        if (request.Jws.IsPostAsGet)
        {
            throw AcmeProblemException.Malformed("keyChange needs a payload: the inner JWS signed by the new key.");
        }

        var inner = Inner(request.Jws.Payload);
        var newKey = inner.Jwk ?? throw AcmeProblemException.Malformed("The inner JWS must carry the new key in 'jwk', not a 'kid'.");
        if (inner.Nonce is not null)
        {
            throw AcmeProblemException.Malformed("The inner JWS must not carry a 'nonce' (RFC 8555 §7.3.5).");
        }

        if (!newKey.Verify(inner.Alg, inner.SigningInput, inner.Signature))
        {
            throw AcmeProblemException.Malformed("The inner JWS signature does not verify with the new key in its 'jwk'.");
        }

        if (!string.Equals(inner.Url, request.Jws.Url, StringComparison.Ordinal))
        {
            throw AcmeProblemException.Unauthorized("The inner JWS 'url' must equal the outer JWS 'url' (the keyChange URL).");
        }

        var payload = inner.PayloadJson();
        var accountUrl = payload.TryGetProperty("account", out var a) && a.ValueKind == JsonValueKind.String
            ? a.GetString()!
            : throw AcmeProblemException.Malformed("The inner payload lacks 'account' (the account URL, a string).");
        if (!string.Equals(accountUrl, request.Jws.Kid, StringComparison.Ordinal))
        {
            throw AcmeProblemException.Unauthorized("The inner payload's 'account' is not the account that signed the outer JWS ('kid').");
        }

        if (!payload.TryGetProperty("oldKey", out var oldKeyElement))
        {
            throw AcmeProblemException.Malformed("The inner payload lacks 'oldKey' (the account's current key as a JWK).");
        }

        if (AcmeJwk.Parse(oldKeyElement).Thumbprint != account.Thumbprint)
        {
            throw AcmeProblemException.Unauthorized("The inner payload's 'oldKey' is not the account's current key.");
        }

        if (newKey.Thumbprint == account.Thumbprint)
        {
            throw AcmeProblemException.Malformed("The new key is the account's current key.");
        }

        await ClaimAsync(newKey, account.Id, urls, cancellationToken).ConfigureAwait(false);
        var changed = account with { KeyJson = newKey.CanonicalJson, Thumbprint = newKey.Thumbprint };
        if (!await store.TryReplaceAccountAsync(changed, found.Version, CancellationToken.None).ConfigureAwait(false))
        {
            await store.TryRemoveAccountKeyAsync(newKey.Thumbprint, account.Id, CancellationToken.None).ConfigureAwait(false);
            throw new AcmeProblemException(ProblemKind.Conflict, AcmeErrors.ServerInternal, "The account changed meanwhile (another key change?); read it and retry.");
        }

        // The old key's row goes last; should this host stop before, the row names an account that no longer holds
        // that key, which every lookup by key treats as no row (<see cref="AcmeAccountService.FindByKeyAsync"/>).
        await store.TryRemoveAccountKeyAsync(account.Thumbprint, account.Id, CancellationToken.None).ConfigureAwait(false);
        await audit.AppendAsync(AuditEntry.Succeeded(AcmeAuditActions.AccountKeyChange) with
        {
            TargetId = account.Id,
            Detail = $"ACME account {account.Id} of team '{account.Team}' changed its key from {account.Thumbprint} to {newKey.Thumbprint}",
        }, CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("ACME account {AccountId} changed its key to {Thumbprint}", account.Id, newKey.Thumbprint);
        return new AcmeResponse(200, AcmeViews.Account(changed, urls), urls.Account(account.Id));
    }

    /// <summary>Claims the new key's index row for the account; a key that another account holds is 409 with that account's URL.</summary>
    private async Task ClaimAsync(AcmeJwk newKey, string accountId, AcmeUrls urls, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await store.TryAddAccountKeyAsync(newKey.Thumbprint, accountId, CancellationToken.None).ConfigureAwait(false))
            {
                return;
            }

            var holderId = await store.FindAccountIdByKeyAsync(newKey.Thumbprint, cancellationToken).ConfigureAwait(false);
            if (holderId is null)
            {
                continue;
            }

            var holder = await store.GetAccountAsync(holderId, cancellationToken).ConfigureAwait(false);
            if (holder is not null && holder.Value.Thumbprint == newKey.Thumbprint)
            {
                throw new AcmeProblemException(ProblemKind.Conflict, AcmeErrors.Malformed, "The new key is already the key of another account.")
                {
                    Location = urls.Account(holderId),
                };
            }

            // A row left by a key change that stopped halfway names an account that does not hold the key: drop it.
            await store.TryRemoveAccountKeyAsync(newKey.Thumbprint, holderId, CancellationToken.None).ConfigureAwait(false);
        }

        throw new AcmeProblemException(ProblemKind.Conflict, AcmeErrors.ServerInternal, "The new key's registration kept changing; retry.");
    }

    private static JwsMessage Inner(byte[] payload)
    {
        try
        {
            return JwsMessage.Parse(payload);
        }
        catch (AcmeProblemException e)
        {
            throw new AcmeProblemException(e.Kind, e.AcmeType, "The inner JWS: " + e.Detail);
        }
    }
}
