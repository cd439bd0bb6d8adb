using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>An ACME order (POST-as-GET).</summary>
public sealed class AcmeOrder(AcmeHttp acme, AcmeOrderService service, ILogger<AcmeOrder> logger)
{
    [ApiOperation("ACME order (RFC 8555 7.1.3), POST-as-GET.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeOrder))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Order)] HttpRequest req, string id) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.OrderAsync(post, id, cancellationToken));
}
