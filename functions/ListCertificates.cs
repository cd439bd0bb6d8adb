using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Errors;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>Lists the certificates issued here: filtered, paged, and only of the teams the caller may read.</summary>
public sealed class ListCertificates(HttpFunction http, CertificateListing listing, ILogger<ListCertificates> logger)
{
    [ApiOperation("The certificates issued here, a page at a time.", Response = typeof(CertificateListView), Permission = nameof(Permission.ReadCertificates))]
    [ApiQuery("team", "The team (any case).")]
    [ApiQuery("owner", "The owner (exact).")]
    [ApiQuery("status", "issued or revoked.")]
    [ApiQuery("profile", "The profile.")]
    [ApiQuery("expiresBefore", "Not after before this (exclusive).")]
    [ApiQuery("expiresAfter", "Not after after this (exclusive).")]
    [ApiQuery("pageSize", "Items per page.", Type = "integer")]
    [ApiQuery("continuationToken", "The token of the previous page, for the next.")]
    [Function(nameof(ListCertificates))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Certificates)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadCertificates, async () =>
        {
            var parameters = req.Query.ToDictionary(
                q => q.Key,
                q => q.Value.Count == 1 ? q.Value[0]! : throw ProblemException.BadRequest("invalid-filter", $"Give {LogText.Escape(q.Key)} once."),
                StringComparer.OrdinalIgnoreCase);
            return Json.Result(await listing.ListAsync(parameters, cancellationToken));
        });
}
