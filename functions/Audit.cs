using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Errors;
using Pki.Functions.Http;

namespace Pki.Functions;

/// <summary>Read the audit trail by time range, and verify its hash chain.</summary>
public sealed class Audit(HttpFunction http, AuditTrail trail, AuditVerifier verifier, ILogger<Audit> logger)
{
    [Function(nameof(GetAudit))]
    public Task<IActionResult> GetAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Audit)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadAudit, async () =>
        {
            var q = req.Query;
            return Json.Result(await trail.ListAsync(Text(q, "from"), Text(q, "to"), Text(q, "limit"), Text(q, "continuationToken"), cancellationToken));
        });

    [Function(nameof(VerifyAudit))]
    public Task<IActionResult> VerifyAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.AuditVerify)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadAudit, async () => Json.Result(await verifier.VerifyAsync(cancellationToken)));

    private static string? Text(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) ? (values.Count == 1 ? values[0] : throw ProblemException.BadRequest("invalid-query", $"Give {name} once.")) : null;
}
