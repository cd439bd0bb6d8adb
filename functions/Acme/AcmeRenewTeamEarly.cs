using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Access;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>Admin API: POST opens the renewal window (RFC 9773) of every ACME certificate of the team issued until now.</summary>
public sealed class AcmeRenewTeamEarly(HttpFunction http, AcmeEarlyRenewal renewal, ILogger<AcmeRenewTeamEarly> logger)
{
    [ApiOperation("Renew early every ACME certificate of the team issued until now: their renewal windows (RFC 9773) open now.", Response = typeof(AcmeScopeRenewalView), Permission = nameof(Permission.ManageAllTeams))]
    [Function(nameof(AcmeRenewTeamEarly))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.RenewTeamEarly)] HttpRequest req,
        string team,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageAllTeams, async () => Json.Result(await renewal.RenewTeamEarlyAsync(team, cancellationToken)));
}
