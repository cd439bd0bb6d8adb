using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Authority.Approvals;
using Pki.Core.Errors;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>Requests held for approval: list the pending ones, read one, approve (which issues) or reject it.</summary>
public sealed class Approvals(HttpFunction http, ApprovalService approvals, IOptions<PkiOptions> options, ILogger<Approvals> logger)
{
    [ApiOperation("Pending requests awaiting approval.", Response = typeof(ApprovalListView), Permission = nameof(Permission.ReadCertificates))]
    [ApiQuery("status", "Only 'pending' is listed.")]
    [ApiQuery("team", "Only this team's requests.")]
    [ApiQuery("pageSize", "Items per page.", Type = "integer")]
    [ApiQuery("continuationToken", "The token of the previous page, for the next.")]
    [Function(nameof(ListRequests))]
    public Task<IActionResult> ListRequests(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Requests)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadCertificates, async () =>
        {
            var q = req.Query;
            if (QueryParameters.Filter(q, "status") is { } status && !string.Equals(status, "pending", StringComparison.OrdinalIgnoreCase))
            {
                throw ProblemException.BadRequest("invalid-filter", $"Only status=pending is listed; read a decided request by its id (got status '{Shorten(status)}').");
            }

            var pageSize = QueryParameters.Filter(q, "pageSize") is { } text
                ? int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size) ? size
                    : throw ProblemException.BadRequest("invalid-page-size", $"pageSize must be a whole number; got '{Shorten(text)}'.")
                : (int?)null;
            return Json.Result(await approvals.ListPendingAsync(QueryParameters.Filter(q, "team"), pageSize, QueryParameters.Filter(q, "continuationToken"), cancellationToken));
        });

    [ApiOperation("One request held for approval.", Response = typeof(ApprovalRequestView), Permission = nameof(Permission.ReadCertificates))]
    [Function(nameof(GetRequest))]
    public Task<IActionResult> GetRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Request)] HttpRequest req,
        string requestId,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadCertificates, async () => Json.Result(await approvals.GetAsync(requestId, cancellationToken)));

    /// <summary>201 with the certificate when this call issued it; 200 with the same certificate when an earlier approval did.</summary>
    [ApiOperation("Approve a pending request and issue its certificate (200 with the same certificate when approved already).", Response = typeof(CertificateView), Status = 201, AlternateStatus = 200, AlternateResponse = typeof(CertificateView), Permission = nameof(Permission.ApproveRequests))]
    [Function(nameof(ApproveRequest))]
    public Task<IActionResult> ApproveRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ApproveRequest)] HttpRequest req,
        string requestId,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ApproveRequests, async () =>
        {
            var outcome = await approvals.ApproveAsync(requestId, cancellationToken);
            Idempotency.Locate(req, $"/{Routes.Prefix}/{Routes.Certificates}/{outcome.Certificate.SerialNumber}", outcome.Replayed);

            return Json.Result(outcome.Certificate, outcome.Replayed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        });

    [ApiOperation("Reject a pending request with a reason.", Request = typeof(RejectionInput), Response = typeof(ApprovalRequestView), Permission = nameof(Permission.ApproveRequests))]
    [Function(nameof(RejectRequest))]
    public Task<IActionResult> RejectRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.RejectRequest)] HttpRequest req,
        string requestId,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ApproveRequests, async () =>
        {
            var input = await RequestBody.ReadJsonAsync<RejectionInput>(req, options.Value.MaxRequestBytes, cancellationToken);
            return Json.Result(await approvals.RejectAsync(requestId, input, cancellationToken));
        });


    private static string Shorten(string value) => value.Length <= 32 ? value : value[..32] + "…";
}
