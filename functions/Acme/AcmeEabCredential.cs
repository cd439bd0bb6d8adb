using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Access;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>Admin API: DELETE revokes an EAB credential (an account bound with it keeps working; deactivate that separately).</summary>
public sealed class AcmeEabCredential(HttpFunction http, EabService eab, ILogger<AcmeEabCredential> logger)
{
    [ApiOperation("Revoke an External Account Binding credential: no account can bind with it any more.", Response = typeof(EabCredentialView), Permission = nameof(Permission.ManageAllTeams))]
    [Function(nameof(AcmeEabCredential))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = AcmeRoutes.EabCredential)] HttpRequest req,
        string kid,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageAllTeams, async () => Json.Result(await eab.RevokeAsync(kid, cancellationToken)));
}
