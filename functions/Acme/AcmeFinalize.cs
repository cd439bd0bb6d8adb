using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>ACME finalize: the CSR goes through the issuance pipeline as the account's team.</summary>
public sealed class AcmeFinalize(AcmeHttp acme, AcmeOrderService service, ILogger<AcmeFinalize> logger)
{
    [ApiOperation("ACME finalize (RFC 8555 7.4): the CSR goes through the same policy, grants and issuance as the JSON API.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeFinalize))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Finalize)] HttpRequest req, string id) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.FinalizeAsync(post, id, cancellationToken));
}
