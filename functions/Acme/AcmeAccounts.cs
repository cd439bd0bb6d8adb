using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core.Acme;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions.Acme;

/// <summary>
/// ACME accounts (RFC 8555 §7.3): newAccount registers an account key, with External Account Binding, or finds the
/// key's account; an account is read (POST-as-GET), its contact updated or it is deactivated; keyChange (§7.3.5) rolls
/// it over to a new key.
/// </summary>
public sealed class AcmeAccounts(AcmeHttp acme, AcmeAccountService accounts, AcmeKeyChangeService keyChange, ILogger<AcmeAccounts> logger)
{
    [ApiOperation("ACME newAccount (RFC 8555 7.3) with External Account Binding; onlyReturnExisting finds an account (200); signed with the account key (jwk).", Status = 201, AlternateStatus = 200, RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeNewAccount))]
    public Task<IActionResult> AcmeNewAccount(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.NewAccount)] HttpRequest req) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => accounts.NewAccountAsync(post, cancellationToken));

    [ApiOperation("ACME account (RFC 8555 7.3): read it (POST-as-GET), update its contact or deactivate it; signed with the account key (kid).", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeAccount))]
    public Task<IActionResult> AcmeAccount(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.Account)] HttpRequest req, string id) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => accounts.AccountAsync(post, id, cancellationToken));

    [ApiOperation("ACME keyChange (RFC 8555 7.3.5): the outer JWS signed by the account key (kid) carries an inner JWS signed by the new key (jwk) over {account, oldKey}; 409 with Location when another account holds the new key.", RequestMediaType = AcmeHttp.JoseContentType, ResponseMediaType = "application/json", Public = true)]
    [Function(nameof(AcmeKeyChange))]
    public Task<IActionResult> AcmeKeyChange(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AcmeRoutes.KeyChange)] HttpRequest req) =>
        acme.PostAsync(req, logger, (post, cancellationToken) => keyChange.KeyChangeAsync(post, cancellationToken));
}
