using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Discovery.Targets;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>Add, list and delete discovery targets.</summary>
public sealed class DiscoveryTargets(HttpFunction http, TargetService targets, IOptions<PkiOptions> options, ILogger<DiscoveryTargets> logger)
{
    [ApiOperation("Add a discovery target (host, range or Key Vault).", Request = typeof(TargetInput), Response = typeof(TargetView), Status = 201, Permission = nameof(Permission.ManageDiscovery))]
    [Function(nameof(AddDiscoveryTarget))]
    public Task<IActionResult> AddDiscoveryTarget(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.DiscoveryTargets)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageDiscovery, async () =>
        {
            var input = await RequestBody.ReadJsonAsync<TargetInput>(req, options.Value.MaxRequestBytes, cancellationToken);
            var target = await targets.AddAsync(input, cancellationToken);
            req.HttpContext.Response.Headers.Location = $"/{Routes.Prefix}/{Routes.DiscoveryTargets}/{target.Id}";
            return Json.Result(target, StatusCodes.Status201Created);
        });

    [ApiOperation("The discovery targets.", Response = typeof(IReadOnlyList<TargetView>), Permission = nameof(Permission.ReadDiscovery))]
    [Function(nameof(ListDiscoveryTargets))]
    public Task<IActionResult> ListDiscoveryTargets(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.DiscoveryTargets)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadDiscovery, async () => Json.Result(await targets.ListAsync(cancellationToken)));

    [ApiOperation("Remove a discovery target.", Status = 204, Permission = nameof(Permission.ManageDiscovery))]
    [Function(nameof(DeleteDiscoveryTarget))]
    public Task<IActionResult> DeleteDiscoveryTarget(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.DiscoveryTarget)] HttpRequest req,
        string id,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageDiscovery, async () =>
        {
            await targets.DeleteAsync(id, cancellationToken);
            return new NoContentResult();
        });
}
