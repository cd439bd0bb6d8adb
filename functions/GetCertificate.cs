using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

public sealed class GetCertificate(HttpFunction http, CertificateService certificates, ILogger<GetCertificate> logger)
{
    [ApiOperation("A certificate issued here, by serial.", Response = typeof(CertificateView), Permission = nameof(Permission.ReadCertificates))]
    [Function(nameof(GetCertificate))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Certificate)] HttpRequest req,
        string serialNumber,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadCertificates, async () => Json.Result(await certificates.GetAsync(serialNumber, cancellationToken)));
}
