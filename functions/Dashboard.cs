using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Pki.Core;
using Pki.Core.Errors;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>
/// The web dashboard's page and its script and styles. Public: they hold no data; everything the page shows it reads
/// from the API as the signed-in caller. Every answer carries a strict Content-Security-Policy.
/// </summary>
public sealed class Dashboard(ILogger<Dashboard> logger)
{
    [ApiOperation("The dashboard's page (no asset), script or styles.", ResponseMediaType = "text/html, text/javascript, text/css", Public = true)]
    [Function(nameof(Dashboard))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Dashboard)] HttpRequest req,
        string? asset) =>
        HttpFunction.RunPublicAsync(req, logger, () =>
        {
            var headers = req.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = DashboardAssets.ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";

            var found = DashboardAssets.Find(asset)
                ?? throw ProblemException.NotFound("no-such-asset", $"The dashboard has no file '{LogText.Escape(asset)}'.");

            // Revalidated every time (a deployment changes them), answered 304 from the ETag when unchanged.
            headers.CacheControl = "no-cache";
            IActionResult result = new FileContentResult(found.Content, found.ContentType) { EntityTag = new EntityTagHeaderValue("\"" + found.Hash + "\"") };
            return Task.FromResult(result);
        });
}
