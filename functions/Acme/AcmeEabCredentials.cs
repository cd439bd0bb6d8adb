using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>
/// Admin API for External Account Binding credentials: POST creates one for a team (201; its HMAC key appears in this
/// answer only), GET ?team= lists a team's, DELETE revokes one (an account bound with it keeps working; deactivate that
/// separately).
/// </summary>
public sealed class AcmeEabCredentials(HttpFunction http, EabService eab, IOptions<PkiOptions> options, ILogger<AcmeEabCredentials> logger)
{
    [ApiOperation("External Account Binding credentials of a team (?team=), without their keys.", Method = "get", Response = typeof(IReadOnlyList<EabCredentialView>), Permission = nameof(Permission.ManageAllTeams))]
    [ApiOperation("Create an External Account Binding credential for a team: its HMAC key is in this answer only.", Method = "post", Request = typeof(EabCredentialInput), Response = typeof(EabCredentialView), Status = 201, Permission = nameof(Permission.ManageAllTeams))]
    [Function(nameof(AcmeEabCredentials))]
    public Task<IActionResult> ListOrCreate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = AcmeRoutes.EabCredentials)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageAllTeams, async () =>
        {
            if (HttpMethods.IsGet(req.Method))
            {
                return Json.Result(await eab.ListAsync(req.Query["team"].ToString(), cancellationToken));
            }

            var body = await RequestBody.ReadJsonAsync<EabCredentialInput>(req, options.Value.MaxRequestBytes, cancellationToken);
            var created = await eab.CreateAsync(body, cancellationToken);
            req.HttpContext.Response.Headers.CacheControl = "no-store";
            req.HttpContext.Response.Headers.Location = $"/{Routes.Prefix}/{AcmeRoutes.EabCredential.Replace("{kid}", created.Kid, StringComparison.Ordinal)}";
            return Json.Result(created, StatusCodes.Status201Created);
        });

    [ApiOperation("Revoke an External Account Binding credential: no account can bind with it any more.", Response = typeof(EabCredentialView), Permission = nameof(Permission.ManageAllTeams))]
    [Function(nameof(AcmeEabCredential))]
    public Task<IActionResult> AcmeEabCredential(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = AcmeRoutes.EabCredential)] HttpRequest req,
        string kid,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageAllTeams, async () => Json.Result(await eab.RevokeAsync(kid, cancellationToken)));
}
