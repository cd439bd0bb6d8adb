using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>Read the audit trail by time range, and verify its hash chain.</summary>
public sealed class Audit(HttpFunction http, AuditTrail trail, AuditVerifier verifier, ILogger<Audit> logger)
{
    [ApiOperation("The audit trail in chain (= time) order, a page at a time.", Response = typeof(AuditPage), Permission = nameof(Permission.ReadAudit))]
    [ApiQuery("from", "Inclusive lower bound, ISO 8601.")]
    [ApiQuery("to", "Exclusive upper bound, ISO 8601.")]
    [ApiQuery("limit", "Records per page, 1 to 1000.", Type = "integer")]
    [ApiQuery("continuationToken", "The token of the previous page, for the next.")]
    [Function(nameof(GetAudit))]
    public Task<IActionResult> GetAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Audit)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadAudit, async () =>
        {
            var q = req.Query;
            return Json.Result(await trail.ListAsync(
                QueryParameters.Parameter(q, "from"),
                QueryParameters.Parameter(q, "to"),
                QueryParameters.Parameter(q, "limit"),
                QueryParameters.Parameter(q, "continuationToken"),
                cancellationToken));
        });

    [ApiOperation("Walk the whole audit chain and report the first break, if any.", Response = typeof(AuditVerification), Permission = nameof(Permission.ReadAudit))]
    [Function(nameof(VerifyAudit))]
    public Task<IActionResult> VerifyAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.AuditVerify)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadAudit, async () => Json.Result(await verifier.VerifyAsync(cancellationToken)));
}
