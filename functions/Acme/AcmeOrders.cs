using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>
/// ACME orders (RFC 8555 §7.4): newOrder checks the identifiers against the account's team grants and opens one
/// authorization each; an order is read (POST-as-GET); finalize sends the CSR through the issuance pipeline as the
/// account's team.
/// </summary>
public sealed class AcmeOrders(AcmeHttp acme, AcmeOrderService orders, ILogger<AcmeOrders> logger)
{
    [ApiOperation("ACME newOrder (RFC 8555 7.4), with replaces (RFC 9773); identifiers are checked against the account team's grants.", Status = 201, RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeNewOrder))]
    public Task<IActionResult> AcmeNewOrder(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.NewOrder)] HttpRequest req) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => orders.NewOrderAsync(post, cancellationToken));

    [ApiOperation("ACME order (RFC 8555 7.1.3), POST-as-GET.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeOrder))]
    public Task<IActionResult> AcmeOrder(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Order)] HttpRequest req, string id) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => orders.OrderAsync(post, id, cancellationToken));

    [ApiOperation("ACME finalize (RFC 8555 7.4): the CSR goes through the same policy, grants and issuance as the JSON API.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeFinalize))]
    public Task<IActionResult> AcmeFinalize(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Finalize)] HttpRequest req, string id) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => orders.FinalizeAsync(post, id, cancellationToken));
}
