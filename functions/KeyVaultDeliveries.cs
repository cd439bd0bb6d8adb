using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Delivery;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>
/// Key Vault enrollment (201 when merged; 202 while the vault refuses or has not answered, the resume timer carries on)
/// and a certificate's delivery target (read; set or changed by the owning team or an admin).
/// </summary>
public sealed class KeyVaultDeliveries(HttpFunction http, KeyVaultDelivery delivery, CertificateService certificates, IOptions<PkiOptions> options, ILogger<KeyVaultDeliveries> logger)
{
    [ApiOperation("Enroll a certificate the Key Vault way: the vault makes the key and CSR, the CA signs, the vault merges (202 while the vault has not answered, or while the request is held for approval: Location names it).", Request = typeof(KeyVaultEnrollmentInput), Response = typeof(DeliveryView), Status = 201, AlternateStatus = 202, AlternateResponse = typeof(DeliveryView), Permission = nameof(Permission.RequestCertificates))]
    [Function(nameof(EnrollKeyVaultCertificate))]
    public Task<IActionResult> EnrollKeyVaultCertificate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.KeyVaultCertificates)] HttpRequest req,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.RequestCertificates, async () =>
        {
            var input = await RequestBody.ReadJsonAsync<KeyVaultEnrollmentInput>(req, options.Value.MaxRequestBytes, cancellationToken);
            var result = await delivery.EnrollAsync(input, cancellationToken);
            var operation = result.Status == DeliveryStatus.Delivered ? null : result.Operation;
            var serial = result.Certificate?.SerialNumber ?? result.Operation.SerialNumber;
            var view = KeyVaultDelivery.View(result.Status.ToString().ToLowerInvariant(), result.Operation.Target, serial, operation) with
            {
                Certificate = result.Certificate is { } issued ? await certificates.ViewAsync(issued, cancellationToken) : null,
            };
            if (serial is not null)
            {
                req.HttpContext.Response.Headers.Location = $"/{Routes.Prefix}/{Routes.Certificates}/{serial}/delivery";
            }
            else if (result.Operation.ApprovalRequestId is { } held)
            {
                // Held for approval: the request an approver decides (the merge follows the approval).
                req.HttpContext.Response.Headers.Location = $"/{Routes.Prefix}/{Routes.Requests}/{held}";
            }

            return Json.Result(view, result.Status == DeliveryStatus.Delivered ? StatusCodes.Status201Created : StatusCodes.Status202Accepted);
        });

    [ApiOperation("A certificate's delivery target and its last operation.", Response = typeof(DeliveryView), Permission = nameof(Permission.ReadCertificates))]
    [Function(nameof(GetCertificateDelivery))]
    public Task<IActionResult> GetCertificateDelivery(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.CertificateDelivery)] HttpRequest req,
        string serialNumber,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.ReadCertificates, async () => Json.Result(await delivery.GetAsync(serialNumber, cancellationToken)));

    [ApiOperation("Set or change where a certificate is delivered (a Key Vault certificate).", Request = typeof(DeliveryTargetInput), Response = typeof(DeliveryView), Permission = nameof(Permission.RequestCertificates))]
    [Function(nameof(SetCertificateDelivery))]
    public Task<IActionResult> SetCertificateDelivery(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.CertificateDelivery)] HttpRequest req,
        string serialNumber,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.RequestCertificates, async () =>
        {
            var input = await RequestBody.ReadJsonAsync<DeliveryTargetInput>(req, options.Value.MaxRequestBytes, cancellationToken);
            return Json.Result(await delivery.SetTargetAsync(serialNumber, input, cancellationToken));
        });
}
