using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>An ACME challenge: {} starts validation on the queue (answered processing at once); POST-as-GET reads it.</summary>
public sealed class AcmeChallenge(AcmeHttp acme, AcmeOrderService service, ILogger<AcmeChallenge> logger)
{
    [ApiOperation("ACME challenge (RFC 8555 7.5.1): an empty object asks for validation, which runs on a queue (processing at once); POST-as-GET reads it.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeChallenge))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Challenge)] HttpRequest req, string id, string type) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.ChallengeAsync(post, id, type, cancellationToken));
}
