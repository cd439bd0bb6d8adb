using System.Security.Cryptography;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;

namespace Pki.Core.Acme;

/// <summary>
/// External Account Binding credentials (RFC 8555 §7.3.4): an admin creates one for a team and hands its key id and
/// HMAC key to that team's ACME client; the key is shown once and stored only wrapped. Each binds one account.
/// </summary>
public sealed class EabService(IAcmeStore store, EabKeyWrap wrap, IAuditTrail audit, CallerContext callers, TimeProvider time)
{
    private const int KeyBytes = 32;

    public async Task<EabCredentialView> CreateAsync(EabCredentialInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var team = Teams.Resolve(input.Team, callers.Current)
            ?? throw ProblemException.Unprocessable("missing-team", "Name the team whose ACME account this credential makes, in 'team'.");
        var owner = input.Owner?.Trim();
        if (owner is { Length: > OwnerRule.MaxLength } || owner?.Any(char.IsControl) == true)
        {
            throw ProblemException.Unprocessable("invalid-owner", $"'owner' must be at most {OwnerRule.MaxLength} printable characters.");
        }

        var kid = "eab_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var key = RandomNumberGenerator.GetBytes(KeyBytes);
        var credential = new EabCredential(kid, team, string.IsNullOrEmpty(owner) ? null : owner, wrap.Wrap(kid, key), time.GetUtcNow(), callers.Current.Id);
        if (!await store.TryAddEabAsync(credential, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"EAB key id {kid} exists already; key ids are random.");
        }

        await audit.AppendAsync(AuditEntry.Succeeded(AcmeAuditActions.EabCreate) with { TargetId = kid, Detail = $"EAB credential {kid} for team {team}" }, CancellationToken.None).ConfigureAwait(false);
        return EabCredentialView.Of(credential, Base64Url.Encode(key));
    }

    public async Task<IReadOnlyList<EabCredentialView>> ListAsync(string? team, CancellationToken cancellationToken = default)
    {
        var resolved = Teams.Resolve(team, callers.Current)
            ?? throw ProblemException.BadRequest("missing-team", "Name the team whose credentials to list, in ?team=.");
        var list = await store.ListEabAsync(resolved, cancellationToken).ConfigureAwait(false);
        return [.. list.OrderBy(c => c.CreatedAt).Select(c => EabCredentialView.Of(c))];
    }

    public async Task<EabCredentialView> RevokeAsync(string kid, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var found = await store.GetEabAsync(kid, cancellationToken).ConfigureAwait(false);
            if (found is null || !callers.Current.CanManage(found.Value.Team))
            {
                throw ProblemException.NotFound("unknown-eab-credential", $"No EAB credential has the key id '{kid}'.");
            }

            if (found.Value.RevokedAt is not null)
            {
                return EabCredentialView.Of(found.Value);
            }

            var revoked = found.Value with { RevokedAt = time.GetUtcNow() };
            if (await store.TryReplaceEabAsync(revoked, found.Version, cancellationToken).ConfigureAwait(false))
            {
                await audit.AppendAsync(AuditEntry.Succeeded(AcmeAuditActions.EabRevoke) with { TargetId = kid, Detail = $"EAB credential {kid} of team {revoked.Team}" }, CancellationToken.None).ConfigureAwait(false);
                return EabCredentialView.Of(revoked);
            }
        }

        throw ProblemException.Conflict("eab-credential-busy", "The credential changed while it was being revoked; try again.");
    }

    /// <summary>
    /// Checks an externalAccountBinding (a JWS over the account key, MACed with the credential's key) and returns the
    /// credential with its version, for <see cref="TryBindAsync"/>. Refuses an unknown, revoked or spent credential.
    /// </summary>
    public async Task<Versioned<EabCredential>> VerifyAsync(System.Text.Json.JsonElement binding, AcmeJwk accountKey, string newAccountUrl, CancellationToken cancellationToken = default)
    {
        if (binding.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            throw AcmeProblemException.Malformed("externalAccountBinding must be a flattened JWS object.");
        }

        var protectedText = JwsMessage.Text(binding, "protected");
        var payloadText = JwsMessage.Text(binding, "payload");
        var signature = JwsMessage.Decode(JwsMessage.Text(binding, "signature"), "EAB signature");
        var header = JwsMessage.DecodeJson(protectedText, "EAB protected header");
        var alg = JwsMessage.HeaderString(header, "alg");
        var hash = alg switch
        {
            "HS256" => HashAlgorithmName.SHA256,
            "HS384" => HashAlgorithmName.SHA384,
            "HS512" => HashAlgorithmName.SHA512,
            _ => throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.BadSignatureAlgorithm, $"The EAB algorithm '{alg}' is not accepted; use HS256."),
        };
        if (header.TryGetProperty("nonce", out _))
        {
            throw AcmeProblemException.Malformed("The EAB JWS must not carry a nonce (RFC 8555 §7.3.4).");
        }

        if (JwsMessage.HeaderString(header, "url") != newAccountUrl)
        {
            throw AcmeProblemException.Unauthorized("The EAB JWS 'url' must be the newAccount URL.");
        }

        var kid = JwsMessage.HeaderString(header, "kid") ?? throw AcmeProblemException.Malformed("The EAB JWS lacks 'kid'.");
        AcmeJwk boundKey;
        try
        {
            using var payload = System.Text.Json.JsonDocument.Parse(JwsMessage.Decode(payloadText, "EAB payload"));
            boundKey = AcmeJwk.Parse(payload.RootElement);
        }
        catch (System.Text.Json.JsonException)
        {
            throw AcmeProblemException.Malformed("The EAB payload must be the account key as a JWK.");
        }

        if (boundKey.Thumbprint != accountKey.Thumbprint)
        {
            throw AcmeProblemException.Unauthorized("The EAB binds another key than the account key in 'jwk'.");
        }

        var found = await store.GetEabAsync(kid.Length <= 64 ? kid : string.Empty, cancellationToken).ConfigureAwait(false);
        if (found is null || found.Value.RevokedAt is not null)
        {
            throw AcmeProblemException.Unauthorized("The EAB key id is unknown or revoked.");
        }

        var key = wrap.Unwrap(kid, found.Value.WrappedKey);
        var expected = hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, System.Text.Encoding.ASCII.GetBytes(protectedText + "." + payloadText))
            : hash == HashAlgorithmName.SHA384 ? HMACSHA384.HashData(key, System.Text.Encoding.ASCII.GetBytes(protectedText + "." + payloadText))
            : HMACSHA512.HashData(key, System.Text.Encoding.ASCII.GetBytes(protectedText + "." + payloadText));
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            throw AcmeProblemException.Unauthorized("The EAB MAC does not verify with the credential's key.");
        }

        if (found.Value.AccountId is not null)
        {
            throw AcmeProblemException.Unauthorized("The EAB credential is bound to another account already; each binds one account.");
        }

        return found;
    }

    /// <summary>Spends the credential on <paramref name="accountId"/>; false when another registration spent it first.</summary>
    public Task<bool> TryBindAsync(Versioned<EabCredential> credential, string accountId, CancellationToken cancellationToken = default) =>
        store.TryReplaceEabAsync(credential.Value with { AccountId = accountId, BoundAt = time.GetUtcNow() }, credential.Version, cancellationToken);
}
