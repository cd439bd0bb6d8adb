using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

public sealed class GetAuthorityCertificate(AuthorityDirectory authorities, ILogger<GetAuthorityCertificate> logger)
{
    public const string DerMediaType = "application/pkix-cert";
    public const string PemMediaType = "application/x-pem-file";

    [ApiOperation("A CA's certificate, PEM, or DER with Accept: application/pkix-cert or ?format=der.", ResponseMediaType = "application/x-pem-file, application/pkix-cert", Public = true)]
    [ApiQuery("format", "'der' for DER (what caIssuers URLs ask for).")]
    [Function(nameof(GetAuthorityCertificate))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.AuthorityCertificate)] HttpRequest req,
        string id,
        CancellationToken cancellationToken) =>
        HttpFunction.RunPublicAsync(req, logger, async () =>
        {
            var ca = await authorities.GetAsync(id, cancellationToken);

            // caIssuers fetchers send no Accept header, so the URL in certificates asks for DER by query.
            var wantsDer = req.Headers.Accept.ToString().Contains(DerMediaType, StringComparison.OrdinalIgnoreCase)
                || string.Equals(req.Query["format"], "der", StringComparison.OrdinalIgnoreCase);
            return wantsDer
                ? new FileContentResult(ca.CertificateDer, DerMediaType)
                : new ContentResult { Content = Pem.Certificate(ca.CertificateDer), ContentType = PemMediaType, StatusCode = 200 };
        });
}
