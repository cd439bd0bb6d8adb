using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Pki.Core.Errors;

namespace Pki.Functions.Http;

/// <summary>
/// Wraps each HTTP function: a refusal becomes its problem response, anything unexpected a 500
/// problem with an id to quote, never an empty body or a stack trace.
/// </summary>
public static class HttpFunction
{
    public static async Task<IActionResult> RunAsync(HttpRequest request, ILogger logger, Func<Task<IActionResult>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (ProblemException problem)
        {
            logger.LogInformation("Refused {Method} {Path}: {ProblemType} {Detail}", request.Method, request.Path.Value, problem.Type, problem.Detail);
            return ProblemResults.From(problem, request);
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return new StatusCodeResult(499);
        }
        catch (Exception e)
        {
            var errorId = Guid.NewGuid().ToString("N");
            logger.LogError(e, "Unhandled error {ErrorId} in {Method} {Path}", errorId, request.Method, request.Path.Value);
            return ProblemResults.Create(StatusCodes.Status500InternalServerError, "internal-error", "Internal error",
                $"The service failed unexpectedly; quote error id {errorId} when reporting it.", request);
        }
    }
}
