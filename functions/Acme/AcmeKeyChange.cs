using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>ACME keyChange (RFC 8555 §7.3.5): an account rolls over to a new key.</summary>
public sealed class AcmeKeyChange(AcmeHttp acme, AcmeKeyChangeService service, ILogger<AcmeKeyChange> logger)
{
    [ApiOperation("ACME keyChange (RFC 8555 7.3.5): the outer JWS signed by the account key (kid) carries an inner JWS signed by the new key (jwk) over {account, oldKey}; 409 with Location when another account holds the new key.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeKeyChange))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.KeyChange)] HttpRequest req) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.KeyChangeAsync(post, cancellationToken));
}
