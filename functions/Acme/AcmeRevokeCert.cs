using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>ACME revokeCert (RFC 8555 §7.6), by the ordering account or the certificate's key.</summary>
public sealed class AcmeRevokeCert(AcmeHttp acme, AcmeRevocationService service, ILogger<AcmeRevokeCert> logger)
{
    [ApiOperation("ACME revokeCert (RFC 8555 7.6), signed by the ordering account (kid) or the certificate's key (jwk).", RequestMediaType = AcmeHttp.JoseContentType, Public = true)]
    [Function(nameof(AcmeRevokeCert))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.RevokeCert)] HttpRequest req) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.RevokeAsync(post, cancellationToken));
}
