using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>An ACME authorization (POST-as-GET).</summary>
public sealed class AcmeAuthorization(AcmeHttp acme, AcmeOrderService service, ILogger<AcmeAuthorization> logger)
{
    [ApiOperation("ACME authorization (RFC 8555 7.5), POST-as-GET.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeAuthorization))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Authorization)] HttpRequest req, string id) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.AuthorizationAsync(post, id, cancellationToken));
}
