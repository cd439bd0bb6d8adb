using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Audit;
using Pki.Core.Errors;

namespace Pki.Core.Acme;

/// <summary>newAccount (with onlyReturnExisting and External Account Binding), account reads, contact updates and deactivation.</summary>
public sealed class AcmeAccountService(
    AcmeRequestVerifier verifier,
    IAcmeStore store,
    EabService eab,
    IAuditTrail audit,
    TimeProvider time,
    IOptions<PkiOptions> options,
    ILogger<AcmeAccountService> logger)
{
    public const int MaxContacts = 4;
    public const int MaxContactLength = 254;

    public async Task<AcmeResponse> NewAccountAsync(AcmePost post, CancellationToken cancellationToken = default)
    {
        var request = await verifier.VerifyAsync(post, AcmeKeyMode.Jwk, cancellationToken).ConfigureAwait(false);
        var urls = new AcmeUrls(post.BaseUrl);
        var payload = request.Jws.PayloadJson();
        var key = request.Key;

        if (await FindByKeyAsync(store, key, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            var existingId = existing.Value.Id;
            // RFC 8555 §7.3.1: the key has an account already; answer it (200) whatever else the request said.
            if (existing.Value.Status != AcmeAccount.Valid)
            {
                throw AcmeProblemException.Unauthorized($"The account of this key is {existing.Value.Status}.");
            }

            return new AcmeResponse(200, AcmeViews.Account(existing.Value, urls), urls.Account(existingId));
        }

        if (payload.TryGetProperty("onlyReturnExisting", out var only) && only.ValueKind == JsonValueKind.True)
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.AccountDoesNotExist, "No account has this key.");
        }

        var acme = options.Value.Acme;
        if (!string.IsNullOrEmpty(acme.TermsOfService) && !(payload.TryGetProperty("termsOfServiceAgreed", out var agreed) && agreed.ValueKind == JsonValueKind.True))
        {
            throw AcmeProblemException.Malformed($"Agree to the terms of service ({acme.TermsOfService}) with termsOfServiceAgreed: true.");
        }

        var contact = Contacts(payload);
        Versioned<EabCredential>? credential = null;
        if (payload.TryGetProperty("externalAccountBinding", out var binding))
        {
            credential = await eab.VerifyAsync(binding, key, urls.NewAccount, cancellationToken).ConfigureAwait(false);
        }
        else if (acme.ExternalAccountRequired)
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.ExternalAccountRequired,
                "This server needs an External Account Binding: ask the PKI admins for an EAB key id and HMAC key for your team.");
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var team = credential?.Value.Team ?? string.Empty;
        var owner = credential?.Value.Owner ?? contact.Select(c => c["mailto:".Length..]).FirstOrDefault() ?? team;
        var account = new AcmeAccount(id, key.CanonicalJson, key.Thumbprint, AcmeAccount.Valid, contact, team, owner, credential?.Value.Kid, time.GetUtcNow());

        // Invariant: an EAB credential binds one account. It is spent (conditionally on the version checked above) before
        // the account can be found by its key, so two registrations racing with one credential cannot both succeed.
        if (credential is not null && !await eab.TryBindAsync(credential, id, cancellationToken).ConfigureAwait(false))
        {
            throw AcmeProblemException.Unauthorized("The EAB credential was bound to another account meanwhile; each binds one account.");
        }

        await store.AddAccountAsync(account, CancellationToken.None).ConfigureAwait(false);
        if (!await store.TryAddAccountKeyAsync(key.Thumbprint, id, CancellationToken.None).ConfigureAwait(false))
        {
            // A row left by a key change that stopped halfway names an account that no longer holds this key: drop it once.
            var stale = await store.FindAccountIdByKeyAsync(key.Thumbprint, cancellationToken).ConfigureAwait(false);
            var claimed = stale is not null && await FindByKeyAsync(store, key, cancellationToken).ConfigureAwait(false) is null
                && await store.TryRemoveAccountKeyAsync(key.Thumbprint, stale, CancellationToken.None).ConfigureAwait(false)
                && await store.TryAddAccountKeyAsync(key.Thumbprint, id, CancellationToken.None).ConfigureAwait(false);
            if (!claimed)
            {
                // The same key registered concurrently and won: answer its account, drop ours.
                await store.DeleteAccountAsync(id, CancellationToken.None).ConfigureAwait(false);
                var won = await FindByKeyAsync(store, key, cancellationToken).ConfigureAwait(false);
                return won is null
                    ? throw new AcmeProblemException(ProblemKind.Conflict, AcmeErrors.ServerInternal, "The account key was registered concurrently; retry.")
                    : new AcmeResponse(200, AcmeViews.Account(won.Value, urls), urls.Account(won.Value.Id));
            }
        }

        await audit.AppendAsync(AuditEntry.Succeeded(AcmeAuditActions.AccountCreate) with
        {
            TargetId = id,
            Detail = $"ACME account {id} of team '{team}'" + (credential is null ? " without EAB" : $" bound by EAB {credential.Value.Kid}"),
        }, CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("ACME account {AccountId} created for team {Team}", id, team);
        return new AcmeResponse(201, AcmeViews.Account(account, urls), urls.Account(id));
    }

    public async Task<AcmeResponse> AccountAsync(AcmePost post, string id, CancellationToken cancellationToken = default)
    {
        var request = await verifier.VerifyAsync(post, AcmeKeyMode.Kid, cancellationToken).ConfigureAwait(false);
        var urls = new AcmeUrls(post.BaseUrl);
        var current = request.Account!;
        if (current.Value.Id != id)
        {
            throw AcmeProblemException.Unauthorized("The account URL is not the account that signed the request.");
        }

        if (request.Jws.IsPostAsGet)
        {
            return new AcmeResponse(200, AcmeViews.Account(current.Value, urls), urls.Account(id));
        }

        var payload = request.Jws.PayloadJson();
        var updated = current.Value;
        if (payload.TryGetProperty("contact", out _))
        {
            updated = updated with { Contact = Contacts(payload) };
        }

        var deactivate = false;
        if (payload.TryGetProperty("status", out var status))
        {
            if (status.ValueKind != JsonValueKind.String || status.GetString() != AcmeAccount.Deactivated)
            {
                throw AcmeProblemException.Malformed("An account's status can only be set to \"deactivated\".");
            }

            updated = updated with { Status = AcmeAccount.Deactivated };
            deactivate = true;
        }

        if (updated != current.Value)
        {
            if (!await store.TryReplaceAccountAsync(updated, current.Version, CancellationToken.None).ConfigureAwait(false))
            {
                throw new AcmeProblemException(ProblemKind.Conflict, AcmeErrors.ServerInternal, "The account changed meanwhile; retry.");
            }

            if (deactivate)
            {
                await audit.AppendAsync(AuditEntry.Succeeded(AcmeAuditActions.AccountDeactivate) with { TargetId = id, Detail = $"ACME account {id} of team '{updated.Team}'" }, CancellationToken.None).ConfigureAwait(false);
            }
        }

        return new AcmeResponse(200, AcmeViews.Account(updated, urls), urls.Account(id));
    }

    /// <summary>
    /// The account that holds <paramref name="key"/>, or null. The key index row counts only when the account it names
    /// still holds that key: a key change that stopped halfway can leave a row for a key the account no longer has.
    /// </summary>
    public static async Task<Versioned<AcmeAccount>?> FindByKeyAsync(IAcmeStore store, AcmeJwk key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        var id = await store.FindAccountIdByKeyAsync(key.Thumbprint, cancellationToken).ConfigureAwait(false);
        var account = id is null ? null : await store.GetAccountAsync(id, cancellationToken).ConfigureAwait(false);
        return account is not null && account.Value.Thumbprint == key.Thumbprint ? account : null;
    }

    private static List<string> Contacts(JsonElement payload)
    {
        if (!payload.TryGetProperty("contact", out var contact) || contact.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (contact.ValueKind != JsonValueKind.Array || contact.GetArrayLength() > MaxContacts)
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.InvalidContact, $"'contact' must be an array of at most {MaxContacts} mailto: URLs.");
        }

        var list = new List<string>();
        foreach (var item in contact.EnumerateArray())
        {
            var text = item.ValueKind == JsonValueKind.String ? item.GetString()! : string.Empty;
            if (!text.StartsWith("mailto:", StringComparison.Ordinal))
            {
                throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.UnsupportedContact, "Only mailto: contacts are supported.");
            }

            var address = text["mailto:".Length..];
            var at = address.IndexOf('@', StringComparison.Ordinal);
            if (text.Length > MaxContactLength || at <= 0 || at != address.LastIndexOf('@') || at == address.Length - 1
                || address.Any(c => c is '?' or ',' or ' ' or '<' or '>' || char.IsControl(c)))
            {
                throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.InvalidContact, "Each contact must be mailto: and one e-mail address, without parameters.");
            }

            list.Add(text);
        }

        return list;
    }
}
