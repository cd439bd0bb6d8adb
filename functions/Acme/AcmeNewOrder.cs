using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>ACME newOrder (RFC 8555 §7.4): identifiers checked against the account's team grants, one authorization each.</summary>
public sealed class AcmeNewOrder(AcmeHttp acme, AcmeOrderService service, ILogger<AcmeNewOrder> logger)
{
    [ApiOperation("ACME newOrder (RFC 8555 7.4), with replaces (RFC 9773); identifiers are checked against the account team's grants.", Status = 201, RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeNewOrder))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.NewOrder)] HttpRequest req) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.NewOrderAsync(post, cancellationToken));
}
