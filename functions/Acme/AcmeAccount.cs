using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>An ACME account: read (POST-as-GET), contact update, deactivation.</summary>
public sealed class AcmeAccount(AcmeHttp acme, AcmeAccountService service, ILogger<AcmeAccount> logger)
{
    [ApiOperation("ACME account (RFC 8555 7.3): read it (POST-as-GET), update its contact or deactivate it; signed with the account key (kid).", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeAccount))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Account)] HttpRequest req, string id) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.AccountAsync(post, id, cancellationToken));
}
