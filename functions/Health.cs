using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Health;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>Liveness (public), and the health of the parts an admin checks first (the dashboard's health strip).</summary>
public sealed class Health(HttpFunction http, ServiceHealth health, TimeProvider time, ILogger<Health> logger)
{
    [ApiOperation("Liveness.", Response = typeof(Health.HealthView), Public = true)]
    [Function(nameof(Health))]
    public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest req) =>
        Json.Result(new HealthView("healthy", time.GetUtcNow()));

    [ApiOperation("CA keys reachable, each CRL's nextUpdate, an OCSP self-check and the audit chain's last verification.", Response = typeof(HealthReport), Permission = nameof(Permission.ReadInventory))]
    [Function(nameof(GetHealthDetails))]
    public Task<IActionResult> GetHealthDetails(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.HealthDetails)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadInventory, async () => Json.Result(await health.CheckAsync(cancellationToken)));

    /// <summary>The answer: always "healthy" while the worker answers at all, and its clock.</summary>
    public sealed record HealthView(string Status, DateTimeOffset Time);
}
