using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Access;
using Pki.Core.Acme;
using Pki.Functions.Http;

namespace Pki.Functions.Acme;

/// <summary>Admin API: DELETE revokes an EAB credential (an account bound with it keeps working; deactivate that separately).</summary>
public sealed class AcmeEabCredential(HttpFunction http, EabService eab, ILogger<AcmeEabCredential> logger)
{
    [Function(nameof(AcmeEabCredential))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = AcmeRoutes.EabCredential)] HttpRequest req,
        string kid,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageAllTeams, async () => Json.Result(await eab.RevokeAsync(kid, cancellationToken)));
}
