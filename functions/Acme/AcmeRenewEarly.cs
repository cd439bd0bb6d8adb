using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Access;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>Admin API: POST opens an ACME certificate's renewal window now (RFC 9773), so its client renews at its next check.</summary>
public sealed class AcmeRenewEarly(HttpFunction http, AcmeEarlyRenewal renewal, ILogger<AcmeRenewEarly> logger)
{
    [ApiOperation("Renew an ACME certificate early: its renewal window (RFC 9773) opens now.", Response = typeof(AcmeEarlyRenewalView), Permission = nameof(Permission.ManageAllTeams))]
    [Function(nameof(AcmeRenewEarly))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.RenewEarly)] HttpRequest req,
        string serialNumber,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageAllTeams, async () => Json.Result(await renewal.RenewEarlyAsync(serialNumber, cancellationToken)));
}
