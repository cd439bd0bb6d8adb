using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>ACME newAccount (RFC 8555 §7.3): registers an account key, with External Account Binding, or finds the key's account.</summary>
public sealed class AcmeNewAccount(AcmeHttp acme, AcmeAccountService service, ILogger<AcmeNewAccount> logger)
{
    [ApiOperation("ACME newAccount (RFC 8555 7.3) with External Account Binding; onlyReturnExisting finds an account (200); signed with the account key (jwk).", Status = 201, AlternateStatus = 200, RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeNewAccount))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.NewAccount)] HttpRequest req) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.NewAccountAsync(post, cancellationToken));
}
