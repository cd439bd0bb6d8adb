using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>ACME newNonce (RFC 8555 §7.2): HEAD answers 200, GET 204, each with a fresh Replay-Nonce (added by <see cref="AcmeHttp"/>).</summary>
public sealed class AcmeNewNonce(AcmeHttp acme, ILogger<AcmeNewNonce> logger)
{
    [ApiOperation("ACME newNonce (RFC 8555 7.2): a fresh Replay-Nonce header.", Method = "head", Public = true)]
    [ApiOperation("ACME newNonce (RFC 8555 7.2): a fresh Replay-Nonce header.", Method = "get", Status = 204, Public = true)]
    [Function(nameof(AcmeNewNonce))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "head", "get", Route = AcmeRoutes.NewNonce)] HttpRequest req) =>
        acme.RunAsync(req, logger, () => Task.FromResult(new AcmeResponse(HttpMethods.IsHead(req.Method) ? StatusCodes.Status200OK : StatusCodes.Status204NoContent, null)));
}
