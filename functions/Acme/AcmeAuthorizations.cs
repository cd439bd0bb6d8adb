using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Core.Storage;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>
/// ACME authorizations and their challenges (RFC 8555 §7.5): an authorization is read (POST-as-GET); a challenge
/// answered with {} starts its validation on the queue (processing at once), POST-as-GET reads it; the queue trigger
/// makes one validation attempt per message (retries with backoff are messages of their own).
/// </summary>
public sealed class AcmeAuthorizations(AcmeHttp acme, AcmeOrderService orders, AcmeValidationService validations, ILogger<AcmeAuthorizations> logger)
{
    [ApiOperation("ACME authorization (RFC 8555 7.5), POST-as-GET.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeAuthorization))]
    public Task<IActionResult> AcmeAuthorization(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Authorization)] HttpRequest req, string id) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => orders.AuthorizationAsync(post, id, cancellationToken));

    [ApiOperation("ACME challenge (RFC 8555 7.5.1): an empty object asks for validation, which runs on a queue (processing at once); POST-as-GET reads it.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeChallenge))]
    public Task<IActionResult> AcmeChallenge(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Challenge)] HttpRequest req, string id, string type) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => orders.ChallengeAsync(post, id, type, cancellationToken));

    [Function(nameof(ValidateAcmeChallenge))]
    public Task ValidateAcmeChallenge(
        [QueueTrigger(AcmeQueueNames.Validations, Connection = QueueNames.Connection)] AcmeValidationMessage message,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        validations.HandleAsync(message, dequeueCount, cancellationToken);
}
