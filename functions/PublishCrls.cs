using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Revocation;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>Publishes a CA's CRLs now; the only way the root CA's CRL is made.</summary>
public sealed class PublishCrls(HttpFunction http, CrlService crls, ILogger<PublishCrls> logger)
{
    [ApiOperation("Publish a CA's CRLs now.", Response = typeof(IReadOnlyList<CrlView>), Permission = nameof(Permission.OperateAuthorities))]
    [Function(nameof(PublishCrls))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.AuthorityCrl)] HttpRequest req,
        string id,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.OperateAuthorities, async () => Json.Result(await crls.PublishAllAsync(id, cancellationToken)));
}
