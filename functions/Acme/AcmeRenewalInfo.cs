using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>ACME Renewal Information (RFC 9773): the suggested renewal window of a certificate, unauthenticated, with Retry-After.</summary>
public sealed class AcmeRenewalInfo(AcmeHttp acme, AcmeRenewalInfoService renewalInfo, ILogger<AcmeRenewalInfo> logger)
{
    [ApiOperation("ACME renewal information (RFC 9773): the suggested renewal window of a certificate, with Retry-After.", Public = true)]
    [Function(nameof(AcmeRenewalInfo))]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AcmeRoutes.RenewalInfo)] HttpRequest req,
        string certId) =>
        acme.RunAsync(req, logger, () => renewalInfo.GetAsync(certId, req.HttpContext.RequestAborted));
}
