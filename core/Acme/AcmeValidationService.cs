using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pki.Core.Acme;

/// <summary>
/// Runs one validation attempt per queue message. A failed attempt is recorded on the challenge (count and last error)
/// and tried again after a doubling delay until <see cref="AcmeOptions.ValidationAttempts"/>; then the challenge and its
/// authorization are invalid. A message whose attempt is not the challenge's current one (a redelivery, a retry already
/// sent) changes nothing.
/// </summary>
public sealed class AcmeValidationService(
    IAcmeStore store,
    IEnumerable<IChallengeValidator> validators,
    IAcmeValidationQueue queue,
    TimeProvider time,
    IOptions<PkiOptions> options,
    ILogger<AcmeValidationService> logger)
{
    private readonly Dictionary<string, IChallengeValidator> _validators = validators.ToDictionary(v => v.Type, StringComparer.Ordinal);

    /// <summary>One acme-validations message, try <paramref name="dequeueCount"/>: a failure on the last try is logged as going to poison.</summary>
    public async Task HandleAsync(AcmeValidationMessage message, long dequeueCount, CancellationToken cancellationToken = default)
    {
        try
        {
            await ValidateAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Storage.QueueRetries.MovesToPoison(dequeueCount, e))
        {
            logger.LogError(e, "Validation of authorization {AuthorizationId} failed {DequeueCount} times; the message moves to the poison queue", message?.AuthorizationId, dequeueCount);
            throw;
        }
    }

    public async Task ValidateAsync(AcmeValidationMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var found = await store.GetAuthorizationAsync(message.AuthorizationId, cancellationToken).ConfigureAwait(false);
        var challenge = found?.Value.Challenges.FirstOrDefault(c => c.Type == message.ChallengeType);
        if (found is null || challenge is null || challenge.Status != AcmeStatus.Processing || challenge.Attempts != message.Attempt || found.Value.Status != AcmeStatus.Pending)
        {
            logger.LogInformation("Validation of {AuthorizationId} {ChallengeType} attempt {Attempt} has nothing to do", message.AuthorizationId, message.ChallengeType, message.Attempt);
            return;
        }

        var authorization = found.Value;
        var account = await store.GetAccountAsync(authorization.AccountId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Authorization {authorization.Id} names account {authorization.AccountId}, which does not exist.");
        var keyAuthorization = challenge.Token + "." + account.Value.Thumbprint;
        var result = _validators.TryGetValue(challenge.Type, out var validator)
            ? await validator.ValidateAsync(authorization.Identifier, challenge.Token, keyAuthorization, cancellationToken).ConfigureAwait(false)
            : AcmeValidationResult.Failure(AcmeErrors.Malformed, $"No validator for {challenge.Type}.");
        var acme = options.Value.Acme;
        var attempts = challenge.Attempts + 1;
        var now = time.GetUtcNow();
        AcmeChallenge updated;
        string authorizationStatus = AcmeStatus.Pending;
        var retry = false;
        if (result.Valid)
        {
            updated = challenge with { Status = AcmeStatus.Valid, Attempts = attempts, Validated = now, ErrorType = null, ErrorDetail = null };
            authorizationStatus = AcmeStatus.Valid;
        }
        else if (attempts < acme.ValidationAttempts)
        {
            updated = challenge with { Attempts = attempts, ErrorType = result.ErrorType, ErrorDetail = result.Detail };
            retry = true;
        }
        else
        {
            updated = challenge with { Status = AcmeStatus.Invalid, Attempts = attempts, ErrorType = result.ErrorType, ErrorDetail = result.Detail };
            authorizationStatus = AcmeStatus.Invalid;
        }

        var next = authorization with
        {
            Status = authorizationStatus,
            Challenges = [.. authorization.Challenges.Select(c => c.Type == challenge.Type ? updated : c)],
        };
        // The retry is queued before the attempt is recorded: a crash in between leaves this message to be delivered
        // again (the attempt is redone) and the early retry stale (its attempt number is not the challenge's), never a
        // challenge that stays processing with no message to finish it.
        if (retry)
        {
            var delay = TimeSpan.FromSeconds(acme.ValidationRetrySeconds * Math.Pow(2, attempts - 1));
            await queue.SendAsync(message with { Attempt = attempts }, delay, CancellationToken.None).ConfigureAwait(false);
        }

        if (!await store.TryReplaceAuthorizationAsync(next, found.Version, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Authorization {AuthorizationId} changed during validation attempt {Attempt}; this attempt is dropped", authorization.Id, attempts);
            return;
        }

        logger.LogInformation("Validation of {Identifier} by {ChallengeType} attempt {Attempt}: {Outcome} {Detail}",
            authorization.Identifier.Value, challenge.Type, attempts, result.Valid ? "valid" : retry ? "retry" : "invalid", result.Detail);
    }
}
