using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>The ACME directory (RFC 8555 §7.1.1), its URLs built on the origin the client used.</summary>
public sealed class AcmeDirectory(AcmeHttp acme, AcmeDirectoryService directory, ILogger<AcmeDirectory> logger)
{
    [ApiOperation("ACME directory (RFC 8555 7.1.1) with renewalInfo (RFC 9773) and meta.externalAccountRequired.", Public = true)]
    [Function(nameof(AcmeDirectory))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AcmeRoutes.Directory)] HttpRequest req) =>
        acme.RunAsync(req, logger, () => Task.FromResult(new AcmeResponse(StatusCodes.Status200OK, directory.Directory(AcmeHttp.BaseUrl(req)))));
}
