using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Revocation;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>Serves a published CRL from storage: the complete one, the delta, or a shard.</summary>
public sealed class GetCrl(CrlService crls, TimeProvider time, ILogger<GetCrl> logger)
{
    public const string MediaType = "application/pkix-crl";

    [ApiOperation("A CA's complete CRL, or its delta or a shard CRL (DER).", ResponseMediaType = "application/pkix-crl", Public = true)]
    [Function(nameof(GetCrl))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.AuthorityCrlPart)] HttpRequest req,
        string id,
        string? part,
        CancellationToken cancellationToken) =>
        HttpFunction.RunPublicAsync(req, logger, async () =>
        {
            var crl = await crls.OpenAsync(id, part, cancellationToken);
            var info = crl.Info;

            // The executor disposes the stream (and answers a matching conditional GET with 304).
            return HttpCaching.FreshUntil(new FileStreamResult(crl.Content, MediaType), req.HttpContext.Response,
                id + "-" + info.CrlNumber.ToString(CultureInfo.InvariantCulture), info.ThisUpdate, info.NextUpdate, time.GetUtcNow(), "public");
        });
}
