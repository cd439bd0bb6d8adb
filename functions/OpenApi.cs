using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Functions.Http;
using Pki.Functions.Http.OpenApi;

namespace Pki.Functions;

/// <summary>The API's OpenAPI 3.1 document, built from the functions themselves (see <see cref="OpenApiDocument"/>).</summary>
public sealed class OpenApi(ILogger<OpenApi> logger)
{
    [ApiOperation("This document: OpenAPI 3.1 for every HTTP route, body, response and problem type.", Response = typeof(object), Public = true)]
    [Function(nameof(OpenApi))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OpenApi)] HttpRequest req) =>
        HttpFunction.RunPublicAsync(req, logger, () =>
            Task.FromResult<IActionResult>(new ContentResult { Content = OpenApiDocument.Text, ContentType = Json.ContentType, StatusCode = StatusCodes.Status200OK }));
}
