using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Pki.Core;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

public sealed class Health(TimeProvider time)
{
    [ApiOperation("Liveness.", Response = typeof(Health.HealthView), Public = true)]
    [Function(nameof(Health))]
    public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest req) =>
        Json.Result(new HealthView("healthy", time.GetUtcNow()));

    /// <summary>The answer: always "healthy" while the worker answers at all, and its clock.</summary>
    public sealed record HealthView(string Status, DateTimeOffset Time);
}
