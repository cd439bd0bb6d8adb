using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Access;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>
/// Admin API: POST .../renew-early opens the renewal window (RFC 9773) now of one ACME certificate, of every ACME
/// certificate of a team, or of every one a CA issued until now, so their clients renew at their next check.
/// </summary>
public sealed class AcmeEarlyRenewals(HttpFunction http, AcmeEarlyRenewal renewal, ILogger<AcmeEarlyRenewals> logger)
{
    [ApiOperation("Renew an ACME certificate early: its renewal window (RFC 9773) opens now.", Response = typeof(AcmeEarlyRenewalView), Permission = nameof(Permission.ManageAllTeams))]
    [Function(nameof(AcmeRenewEarly))]
    public Task<IActionResult> AcmeRenewEarly(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.RenewEarly)] HttpRequest req,
        string serialNumber,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageAllTeams, async () => Json.Result(await renewal.RenewEarlyAsync(serialNumber, cancellationToken)));

    [ApiOperation("Renew early every ACME certificate of the team issued until now: their renewal windows (RFC 9773) open now.", Response = typeof(AcmeScopeRenewalView), Permission = nameof(Permission.ManageAllTeams))]
    [Function(nameof(AcmeRenewTeamEarly))]
    public Task<IActionResult> AcmeRenewTeamEarly(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.RenewTeamEarly)] HttpRequest req,
        string team,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageAllTeams, async () => Json.Result(await renewal.RenewTeamEarlyAsync(team, cancellationToken)));

    [ApiOperation("Renew early every ACME certificate the CA issued until now: their renewal windows (RFC 9773) open now.", Response = typeof(AcmeScopeRenewalView), Permission = nameof(Permission.ManageAllTeams))]
    [Function(nameof(AcmeRenewAuthorityEarly))]
    public Task<IActionResult> AcmeRenewAuthorityEarly(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.RenewAuthorityEarly)] HttpRequest req,
        string id,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageAllTeams, async () => Json.Result(await renewal.RenewAuthorityEarlyAsync(id, cancellationToken)));
}
