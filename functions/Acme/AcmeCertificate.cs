using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>An ACME order's certificate chain (POST-as-GET), PEM.</summary>
public sealed class AcmeCertificate(AcmeHttp acme, AcmeOrderService service, ILogger<AcmeCertificate> logger)
{
    [ApiOperation("ACME certificate download (RFC 8555 7.4.2), POST-as-GET: the PEM chain up to the root, without it; Link rel=alternate names the chain with the root.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/pem-certificate-chain", Public = true)]
    [Function(nameof(AcmeCertificate))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Certificate)] HttpRequest req, string id) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.CertificateAsync(post, id, withRoot: false, cancellationToken));
}
