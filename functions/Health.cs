using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Pki.Core;
using Pki.Functions.Http;

namespace Pki.Functions;

public sealed class Health(TimeProvider time)
{
    [Function(nameof(Health))]
    public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest req) =>
        Json.Result(new { status = "healthy", time = time.GetUtcNow() });
}
