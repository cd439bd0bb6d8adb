using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

public sealed class ListAuthorities(AuthorityDirectory authorities, ILogger<ListAuthorities> logger)
{
    [ApiOperation("The CAs.", Response = typeof(AuthorityView[]), Public = true)]
    [Function(nameof(ListAuthorities))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Authorities)] HttpRequest req,
        CancellationToken cancellationToken) =>
        HttpFunction.RunPublicAsync(req, logger, async () =>
        {
            var list = await authorities.ListAsync(cancellationToken);
            return Json.Result(list.OrderBy(ca => ca.Role).ThenBy(ca => ca.Id, StringComparer.Ordinal).Select(AuthorityView.From).ToArray());
        });
}
