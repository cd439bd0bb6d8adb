using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Revocation.Ocsp;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>
/// The OCSP responder over HTTP (RFC 6960 appendix A, RFC 5019): POST with a DER body, or GET with the
/// request base64'd and URL-encoded in the path. Protocol errors are OCSP responses with an error status. The timer
/// re-signs the pre-signed responses that come due.
/// </summary>
public sealed class Ocsp(OcspResponder ocsp, TimeProvider time, ILogger<Ocsp> logger)
{
    public const string RequestMediaType = "application/ocsp-request";
    public const string ResponseMediaType = "application/ocsp-response";

    [ApiOperation("OCSP (RFC 6960, RFC 5019 profile): a DER request.", RequestMediaType = "application/ocsp-request", ResponseMediaType = "application/ocsp-response", Public = true)]
    [Function("OcspPost")]
    public Task<IActionResult> Post(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Ocsp)] HttpRequest req,
        CancellationToken cancellationToken) =>
        HttpFunction.RunPublicAsync(req, logger, async () =>
        {
            var body = await RequestBody.TryReadAsync(req, OcspResponder.MaxRequestBytes, cancellationToken) ?? [];
            var reply = await ocsp.RespondAsync(body, cancellationToken);
            return Respond(req, reply, cacheable: false);
        });

    [ApiOperation("OCSP by GET: the request base64'd and URL-encoded in the path.", ResponseMediaType = "application/ocsp-response", Public = true)]
    [Function("OcspGet")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OcspGet)] HttpRequest req,
        string? request,
        CancellationToken cancellationToken) =>
        HttpFunction.RunPublicAsync(req, logger, async () =>
        {
            var reply = await ocsp.RespondAsync(Decode(request), cancellationToken);
            return Respond(req, reply, cacheable: true);
        });

    [Function(nameof(RefreshOcspResponses))]
    public async Task RefreshOcspResponses([TimerTrigger(Schedules.OcspRefresh)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var refreshed = await ocsp.RefreshDueAsync(cancellationToken);
        logger.LogInformation("OCSP refresh re-signed {Count} responses", refreshed);
    }

    /// <summary>The DER of a GET request; empty (hence malformedRequest) when it is not URL-encoded base64.</summary>
    public static byte[] Decode(string? request)
    {
        if (string.IsNullOrEmpty(request) || request.Length > OcspResponder.MaxRequestBytes * 2)
        {
            return [];
        }

        try
        {
            return Convert.FromBase64String(Uri.UnescapeDataString(request));
        }
        catch (FormatException)
        {
            return [];
        }
    }

    private IActionResult Respond(HttpRequest req, OcspReply reply, bool cacheable)
    {
        // Checked first: the call allocates its arguments on every request, Debug on or off.
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("OCSP {Method}: {Outcome}", req.Method, reply.Outcome);
        }

        var result = new FileContentResult(reply.Body, ResponseMediaType);
        if (cacheable && reply is { ThisUpdate: { } thisUpdate, NextUpdate: { } nextUpdate })
        {
            // RFC 5019 6.2: let HTTP caches keep the response until nextUpdate.
            return HttpCaching.FreshUntil(result, req.HttpContext.Response, reply.Fingerprint,
                thisUpdate, nextUpdate, time.GetUtcNow(), "public, no-transform, must-revalidate");
        }

        req.HttpContext.Response.Headers.CacheControl = "no-cache, no-store";
        return result;
    }
}
