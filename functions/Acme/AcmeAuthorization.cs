using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;

namespace Pki.Functions.Acme;

/// <summary>An ACME authorization (POST-as-GET).</summary>
public sealed class AcmeAuthorization(AcmeHttp acme, AcmeOrderService service, ILogger<AcmeAuthorization> logger)
{
    [Function(nameof(AcmeAuthorization))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Authorization)] HttpRequest req, string id) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.AuthorizationAsync(post, id, cancellationToken));
}
