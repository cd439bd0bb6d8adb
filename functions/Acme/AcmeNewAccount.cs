using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;

namespace Pki.Functions.Acme;

/// <summary>ACME newAccount (RFC 8555 §7.3): registers an account key, with External Account Binding, or finds the key's account.</summary>
public sealed class AcmeNewAccount(AcmeHttp acme, AcmeAccountService service, ILogger<AcmeNewAccount> logger)
{
    [Function(nameof(AcmeNewAccount))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.NewAccount)] HttpRequest req) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => service.NewAccountAsync(post, cancellationToken));
}
