using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>
/// Where an ACME client starts: the directory (RFC 8555 §7.1.1), its URLs built on the origin the client used, and
/// newNonce (§7.2); and the timer that drops the used nonces of expired hours. Every ACME answer carries a fresh
/// Replay-Nonce (added by <see cref="AcmeHttp"/>), so newNonce only chooses its status.
/// </summary>
public sealed class AcmeDirectory(AcmeHttp acme, AcmeDirectoryService directory, AcmeNonces nonces, ILogger<AcmeDirectory> logger)
{
    [ApiOperation("ACME directory (RFC 8555 7.1.1) with renewalInfo (RFC 9773) and meta.externalAccountRequired.", Public = true)]
    [Function(nameof(AcmeDirectory))]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AcmeRoutes.Directory)] HttpRequest req) =>
        acme.RunAsync(req, logger, () => Task.FromResult(new AcmeResponse(StatusCodes.Status200OK, directory.Directory(AcmeHttp.BaseUrl(req)))));

    /// <summary>HEAD answers 200, GET 204, each with a fresh Replay-Nonce.</summary>
    [ApiOperation("ACME newNonce (RFC 8555 7.2): a fresh Replay-Nonce header.", Method = "head", Public = true)]
    [ApiOperation("ACME newNonce (RFC 8555 7.2): a fresh Replay-Nonce header.", Method = "get", Status = 204, Public = true)]
    [Function(nameof(AcmeNewNonce))]
    public Task<IActionResult> AcmeNewNonce(
        [HttpTrigger(AuthorizationLevel.Anonymous, "head", "get", Route = AcmeRoutes.NewNonce)] HttpRequest req) =>
        acme.RunAsync(req, logger, () => Task.FromResult(new AcmeResponse(HttpMethods.IsHead(req.Method) ? StatusCodes.Status200OK : StatusCodes.Status204NoContent, null)));

    [Function(nameof(SweepAcmeNonces))]
    public async Task SweepAcmeNonces([TimerTrigger(Schedules.AcmeNonceSweep)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var deleted = await nonces.SweepAsync(cancellationToken);
        logger.LogInformation("Swept {Deleted} used ACME nonces of expired hours", deleted);
    }
}
