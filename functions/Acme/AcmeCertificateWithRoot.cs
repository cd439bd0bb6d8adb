using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>An ACME order's alternate certificate chain (POST-as-GET), PEM: the same path with the root appended.</summary>
public sealed class AcmeCertificateWithRoot(AcmeHttp acme, AcmeOrderService service, ILogger<AcmeCertificateWithRoot> logger)
{
    [ApiOperation("ACME certificate download (RFC 8555 7.4.2), alternate chain, POST-as-GET: the PEM chain with the root appended; Link rel=alternate names the default chain.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/pem-certificate-chain", Public = true)]
    [Function(nameof(AcmeCertificateWithRoot))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.CertificateWithRoot)] HttpRequest req, string id) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.CertificateAsync(post, id, withRoot: true, cancellationToken));
}
