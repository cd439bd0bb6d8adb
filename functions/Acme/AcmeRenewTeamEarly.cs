using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Access;
using Pki.Core.Acme;
using Pki.Functions.Http;

namespace Pki.Functions.Acme;

/// <summary>Admin API: POST opens the renewal window (RFC 9773) of every ACME certificate of the team issued until now.</summary>
public sealed class AcmeRenewTeamEarly(HttpFunction http, AcmeEarlyRenewal renewal, ILogger<AcmeRenewTeamEarly> logger)
{
    [Function(nameof(AcmeRenewTeamEarly))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.RenewTeamEarly)] HttpRequest req,
        string team,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageAllTeams, async () => Json.Result(await renewal.RenewTeamEarlyAsync(team, cancellationToken)));
}
