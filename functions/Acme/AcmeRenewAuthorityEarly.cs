using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Access;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>Admin API: POST opens the renewal window (RFC 9773) of every ACME certificate the CA issued until now.</summary>
public sealed class AcmeRenewAuthorityEarly(HttpFunction http, AcmeEarlyRenewal renewal, ILogger<AcmeRenewAuthorityEarly> logger)
{
    [ApiOperation("Renew early every ACME certificate the CA issued until now: their renewal windows (RFC 9773) open now.", Response = typeof(AcmeScopeRenewalView), Permission = nameof(Permission.ManageAllTeams))]
    [Function(nameof(AcmeRenewAuthorityEarly))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.RenewAuthorityEarly)] HttpRequest req,
        string id,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageAllTeams, async () => Json.Result(await renewal.RenewAuthorityEarlyAsync(id, cancellationToken)));
}
