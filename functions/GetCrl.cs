using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Pki.Core;
using Pki.Core.Revocation;
using Pki.Functions.Http;

namespace Pki.Functions;

/// <summary>Serves a published CRL from storage: the complete one, the delta, or a shard.</summary>
public sealed class GetCrl(CrlService crls, TimeProvider time, ILogger<GetCrl> logger)
{
    public const string MediaType = "application/pkix-crl";

    [Function(nameof(GetCrl))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.AuthorityCrlPart)] HttpRequest req,
        string id,
        string? part,
        CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(req, logger, async () =>
        {
            var crl = await crls.OpenAsync(id, part, cancellationToken);
            var info = crl.Info;
            var maxAge = Math.Max(0, (long)(info.NextUpdate - time.GetUtcNow()).TotalSeconds);
            req.HttpContext.Response.Headers.CacheControl = $"public, max-age={maxAge.ToString(CultureInfo.InvariantCulture)}";
            req.HttpContext.Response.Headers.Expires = info.NextUpdate.ToString("R", CultureInfo.InvariantCulture);

            // The executor answers If-None-Match / If-Modified-Since with 304 and disposes the stream.
            return new FileStreamResult(crl.Content, MediaType)
            {
                EntityTag = new EntityTagHeaderValue("\"" + id + "-" + info.CrlNumber.ToString(CultureInfo.InvariantCulture) + "\""),
                LastModified = info.ThisUpdate,
            };
        });
}
