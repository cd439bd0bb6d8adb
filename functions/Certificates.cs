using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Authority.Approvals;
using Pki.Core.Errors;
using Pki.Core.Renewal;
using Pki.Core.Revocation;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>
/// Certificates issued here: request (issue, or hold for approval), read one, list, revoke, renew early; and the timer that finishes
/// or abandons issuances a stopped request left behind.
/// </summary>
public sealed class Certificates(
    HttpFunction http,
    CertificateRequests requests,
    CertificateService certificates,
    CertificateListing listing,
    RevocationService revocation,
    EarlyRenewalService earlyRenewal,
    IssuanceRepair repair,
    IOptions<PkiOptions> options,
    ILogger<Certificates> logger)
{
    /// <summary>
    /// Issues a certificate (201), or for a profile that requires approval holds the request pending (202, Location of the
    /// request); either answer carries a warning where the request is met otherwise than asked (a capped lifetime).
    /// </summary>
    [ApiOperation("Issue a certificate from a CSR (202 with the request when its profile requires approval).", Request = typeof(CertificateRequestInput), Response = typeof(CertificateView), Status = 201, AlternateStatus = 202, AlternateResponse = typeof(ApprovalRequestView), Permission = nameof(Permission.RequestCertificates))]
    [Function(nameof(RequestCertificate))]
    public Task<IActionResult> RequestCertificate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Certificates)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.RequestCertificates, async () =>
        {
            var body = await RequestBody.ReadJsonAsync<CertificateRequestInput>(req, options.Value.MaxRequestBytes, cancellationToken);
            var submitted = await requests.SubmitAsync(body, Idempotency.Key(req), cancellationToken);
            Idempotency.Locate(req, submitted.Location, submitted.Replayed);
            return Json.Result(submitted.Body, submitted.Issued ? StatusCodes.Status201Created : StatusCodes.Status202Accepted);
        });

    [ApiOperation("A certificate issued here, by serial.", Response = typeof(CertificateView), Permission = nameof(Permission.ReadCertificates))]
    [Function(nameof(GetCertificate))]
    public Task<IActionResult> GetCertificate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Certificate)] HttpRequest req,
        string serialNumber,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadCertificates, async () => Json.Result(await certificates.GetAsync(serialNumber, cancellationToken)));

    /// <summary>Lists the certificates issued here: filtered, paged, and only of the teams the caller may read.</summary>
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
    public Task<IActionResult> ListCertificates(
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

    [ApiOperation("Revoke a certificate.", Request = typeof(RevokeInput), Response = typeof(RevocationOutcome), Permission = nameof(Permission.RevokeCertificates))]
    [Function(nameof(RevokeCertificate))]
    public Task<IActionResult> RevokeCertificate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.RevokeCertificate)] HttpRequest req,
        string serialNumber,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.RevokeCertificates, async () =>
        {
            var body = await RequestBody.ReadJsonAsync<RevokeInput>(req, options.Value.MaxRequestBytes, cancellationToken);
            return Json.Result(await revocation.RevokeAsync(serialNumber, body.Reason, cancellationToken));
        });

    /// <summary>
    /// An admin's "renew early": 202, the certificate queued for the renewer (or, issued through ACME, its renewal window
    /// opened); Location is the certificate, whose successor link shows the result.
    /// </summary>
    [ApiOperation("Renew a certificate early: queued for the renewer now (an ACME certificate gets its renewal window opened).", Response = typeof(EarlyRenewalView), Status = 202, Permission = nameof(Permission.ManageAllTeams))]
    [Function(nameof(RenewCertificateEarly))]
    public Task<IActionResult> RenewCertificateEarly(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.RenewCertificateEarly)] HttpRequest req,
        string serialNumber,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ManageAllTeams, async () =>
        {
            var renewal = await earlyRenewal.RenewEarlyAsync(serialNumber, cancellationToken);
            req.HttpContext.Response.Headers.Location = $"/{Routes.Prefix}/{Routes.Certificates}/{renewal.SerialNumber}";
            return Json.Result(renewal, StatusCodes.Status202Accepted);
        });

    [Function(nameof(RepairIssuance))]
    public async Task RepairIssuance([TimerTrigger(Schedules.IssuanceRepair)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var outcome = await repair.RunAsync(cancellationToken);
        if (outcome.Finished > 0 || outcome.Abandoned > 0 || outcome.FailedHours > 0)
        {
            logger.LogWarning("Issuance repair finished {Finished} certificates and abandoned {Abandoned} reservations left by stopped requests; {FailedHours} hours wait for the next pass", outcome.Finished, outcome.Abandoned, outcome.FailedHours);
        }
    }

    /// <summary>The revocation request body: an RFC 5280 reason name; absent means unspecified.</summary>
    public sealed record RevokeInput(string? Reason);
}
