using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>
/// ACME certificates: an order's chain (RFC 8555 §7.4.2, POST-as-GET, PEM) up to the root, or at the same path plus
/// /with-root with the root appended (each names the other with Link rel=alternate); and revokeCert (§7.6), by the
/// ordering account or the certificate's key.
/// </summary>
public sealed class AcmeCertificates(AcmeHttp acme, AcmeOrderService orders, AcmeRevocationService revocation, ILogger<AcmeCertificates> logger)
{
    [ApiOperation("ACME certificate download (RFC 8555 7.4.2), POST-as-GET: the PEM chain up to the root, without it; Link rel=alternate names the chain with the root.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/pem-certificate-chain", Public = true)]
    [Function(nameof(AcmeCertificate))]
    public Task<IActionResult> AcmeCertificate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Certificate)] HttpRequest req, string id) =>
        Download(req, id, withRoot: false);

    [ApiOperation("ACME certificate download (RFC 8555 7.4.2), alternate chain, POST-as-GET: the PEM chain with the root appended; Link rel=alternate names the default chain.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/pem-certificate-chain", Public = true)]
    [Function(nameof(AcmeCertificateWithRoot))]
    public Task<IActionResult> AcmeCertificateWithRoot(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.CertificateWithRoot)] HttpRequest req, string id) =>
        Download(req, id, withRoot: true);

    [ApiOperation("ACME revokeCert (RFC 8555 7.6), signed by the ordering account (kid) or the certificate's key (jwk).", RequestMediaType = AcmeHttp.JoseContentType, Public = true)]
    [Function(nameof(AcmeRevokeCert))]
    public Task<IActionResult> AcmeRevokeCert(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.RevokeCert)] HttpRequest req) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => revocation.RevokeAsync(post, cancellationToken));

    private Task<IActionResult> Download(HttpRequest req, string id, bool withRoot) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => orders.CertificateAsync(post, id, withRoot, cancellationToken));
}
