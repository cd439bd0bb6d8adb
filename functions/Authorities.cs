using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Revocation;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>
/// The CAs: the list, a CA's certificate, its CRLs (served, published by hand, refreshed by the timer).
/// </summary>
public sealed class Authorities(HttpFunction http, AuthorityDirectory authorities, CrlService crls, CrlPublisher publisher, TimeProvider time, ILogger<Authorities> logger)
{
    public const string DerMediaType = "application/pkix-cert";
    public const string PemMediaType = "application/x-pem-file";
    public const string CrlMediaType = "application/pkix-crl";

    [ApiOperation("The CAs.", Response = typeof(AuthorityView[]), Public = true)]
    [Function(nameof(ListAuthorities))]
    public Task<IActionResult> ListAuthorities(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Authorities)] HttpRequest req,
        CancellationToken cancellationToken) =>
        HttpFunction.RunPublicAsync(req, logger, async () =>
        {
            var list = await authorities.ListAsync(cancellationToken);
            return Json.Result(list.OrderBy(ca => ca.Role).ThenBy(ca => ca.Id, StringComparer.Ordinal).Select(AuthorityView.From).ToArray());
        });

    [ApiOperation("A CA's certificate, PEM, or DER with Accept: application/pkix-cert or ?format=der.", ResponseMediaType = "application/x-pem-file, application/pkix-cert", Public = true)]
    [ApiQuery("format", "'der' for DER (what caIssuers URLs ask for).")]
    [Function(nameof(GetAuthorityCertificate))]
    public Task<IActionResult> GetAuthorityCertificate(
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

    /// <summary>Serves a published CRL from storage: the complete one, the delta, or a shard.</summary>
    [ApiOperation("A CA's complete CRL, or its delta or a shard CRL (DER).", ResponseMediaType = "application/pkix-crl", Public = true)]
    [Function(nameof(GetCrl))]
    public Task<IActionResult> GetCrl(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.AuthorityCrlPart)] HttpRequest req,
        string id,
        string? part,
        CancellationToken cancellationToken) =>
        HttpFunction.RunPublicAsync(req, logger, async () =>
        {
            var crl = await crls.OpenAsync(id, part, cancellationToken);
            var info = crl.Info;

            // The executor disposes the stream (and answers a matching conditional GET with 304).
            return HttpCaching.FreshUntil(new FileStreamResult(crl.Content, CrlMediaType), req.HttpContext.Response,
                id + "-" + info.CrlNumber.ToString(CultureInfo.InvariantCulture), info.ThisUpdate, info.NextUpdate, time.GetUtcNow(), "public");
        });

    /// <summary>Publishes a CA's CRLs now; the only way the root CA's CRL is made.</summary>
    [ApiOperation("Publish a CA's CRLs now.", Response = typeof(IReadOnlyList<CrlView>), Permission = nameof(Permission.OperateAuthorities))]
    [Function(nameof(PublishCrls))]
    public Task<IActionResult> PublishCrls(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.AuthorityCrl)] HttpRequest req,
        string id,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.OperateAuthorities, async () => Json.Result(await crls.PublishAllAsync(id, cancellationToken)));

    [Function(nameof(RefreshCrls))]
    public async Task RefreshCrls([TimerTrigger(Schedules.CrlRefresh)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var published = await publisher.RefreshAsync(cancellationToken);
        logger.LogInformation("CRL refresh published {Count} CRLs", published);
    }
}
