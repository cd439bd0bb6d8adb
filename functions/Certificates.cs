using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Authority.Approvals;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>
/// Issues a certificate (201), or for a profile that requires approval holds the request pending (202, Location of the
/// request); either answer carries a warning where the request is met otherwise than asked (a capped lifetime).
/// </summary>
public sealed class RequestCertificate(HttpFunction http, CertificateService certificates, ApprovalService approvals, IssuanceWarnings warnings, IOptions<PkiOptions> options, ILogger<RequestCertificate> logger)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    [ApiOperation("Issue a certificate from a CSR (202 with the request when its profile requires approval).", Request = typeof(CertificateRequestInput), Response = typeof(CertificateView), Status = 201, AlternateStatus = 202, AlternateResponse = typeof(ApprovalRequestView), Permission = nameof(Permission.RequestCertificates))]
    [Function(nameof(RequestCertificate))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Certificates)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.RequestCertificates, async () =>
        {
            var body = await RequestBody.ReadJsonAsync<CertificateRequestInput>(req, options.Value.MaxRequestBytes, cancellationToken);
            var key = req.Headers.TryGetValue(IdempotencyKeyHeader, out var values) ? values.ToString() : null;
            if (approvals.RequiresApproval(body.Profile))
            {
                var submitted = await approvals.SubmitAsync(body, key, cancellationToken);
                req.HttpContext.Response.Headers.Location = $"/{Routes.Prefix}/{Routes.Requests}/{submitted.Request.RequestId}";
                if (submitted.Replayed)
                {
                    req.HttpContext.Response.Headers[ReplayedHeader] = "true";
                }

                return Json.Result(warnings.Annotate(submitted.Request), StatusCodes.Status202Accepted);
            }

            var outcome = await certificates.RequestAsync(body, key, cancellationToken);

            req.HttpContext.Response.Headers.Location = $"/{Routes.Prefix}/{Routes.Certificates}/{outcome.Certificate.SerialNumber}";
            if (outcome.Replayed)
            {
                req.HttpContext.Response.Headers[ReplayedHeader] = "true";
            }

            return Json.Result(warnings.Annotate(outcome.Certificate, body), StatusCodes.Status201Created);
        });
}
