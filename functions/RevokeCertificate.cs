using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Revocation;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

public sealed class RevokeCertificate(HttpFunction http, RevocationService revocation, IOptions<PkiOptions> options, ILogger<RevokeCertificate> logger)
{
    [ApiOperation("Revoke a certificate.", Request = typeof(RevokeCertificate.RevokeInput), Response = typeof(RevocationOutcome), Permission = nameof(Permission.RevokeCertificates))]
    [Function(nameof(RevokeCertificate))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.RevokeCertificate)] HttpRequest req,
        string serialNumber,
        CancellationToken cancellationToken) =>
        http.RunAsync(req, logger, Permission.RevokeCertificates, async () =>
        {
            var body = await RequestBody.ReadJsonAsync<RevokeInput>(req, options.Value.MaxRequestBytes, cancellationToken);
            return Json.Result(await revocation.RevokeAsync(serialNumber, body.Reason, cancellationToken));
        });

    /// <summary>The request body: an RFC 5280 reason name; absent means unspecified.</summary>
    public sealed record RevokeInput(string? Reason);
}
