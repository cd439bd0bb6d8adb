using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Access.Sessions;
using Pki.Core.Audit;
using Pki.Core.Errors;

namespace Pki.Functions.Http;

/// <summary>
/// Wraps each HTTP function: authenticates the caller and checks the permission the endpoint needs before any
/// core call (the one place this is decided), applies the caller's rate limit, runs the action as that caller, and
/// turns a refusal into its problem response and anything unexpected into a 500 problem with an id to quote, never an
/// empty body or a stack trace.
/// </summary>
public sealed class HttpFunction(AccessControl access, CallerContext callers, IssuanceRateLimiter issuanceLimit, IAuditTrail audit)
{
    /// <summary>An endpoint for authenticated callers holding <paramref name="permission"/>.</summary>
    public Task<IActionResult> RunAsync(HttpRequest request, ILogger logger, Permission permission, Func<Task<IActionResult>> action) =>
        RunAsync(request, logger, (Permission?)permission, _ => action());

    /// <summary>An endpoint for any authenticated caller, whatever its roles (who am I, sign out).</summary>
    public Task<IActionResult> RunAuthenticatedAsync(HttpRequest request, ILogger logger, Func<Caller, Task<IActionResult>> action) =>
        RunAsync(request, logger, null, action);

    private Task<IActionResult> RunAsync(HttpRequest request, ILogger logger, Permission? permission, Func<Caller, Task<IActionResult>> action) =>
        GuardAsync(request, logger, async () =>
        {
            Caller caller;
            try
            {
                caller = await access.AuthenticateAsync(name => Header(request, name), request.HttpContext.RequestAborted).ConfigureAwait(false);
            }
            catch (ProblemException problem) when (problem.Kind == ProblemKind.Unauthorized)
            {
                // RFC 9110 15.5.2: a 401 names the schemes that would be accepted.
                request.HttpContext.Response.Headers.WWWAuthenticate = access.Challenges();
                throw;
            }

            // A browser sends a session cookie (ours, or App Service authentication's) with any request made to us, so a
            // state-changing one must also prove it comes from the dashboard's own script: the CSRF token bound to that
            // cookie, which no other site can read (CsrfRule says which calls and which cookie).
            if (!IsSafe(request.Method) && !CsrfRule.Holds(caller, name => Header(request, name)))
            {
                throw ProblemException.Forbidden("csrf-token-required",
                    $"A state-changing call made with a browser session (the dashboard's cookie, or App Service authentication's) must carry the session's token in {SessionCookie.CsrfHeader}, as GET /{Routes.Prefix}/{Routes.Session} gives it.");
            }

            using (callers.Enter(caller))
            {
                if (permission is not { } needed)
                {
                    return await action(caller).ConfigureAwait(false);
                }

                try
                {
                    AccessControl.Authorize(caller, needed);
                }
                catch (ProblemException problem)
                {
                    // A known caller asking for what its roles do not allow is a security event: the trail records who
                    // asked for what. (Unauthenticated callers are not recorded: nobody to attribute, and free to flood.)
                    await audit.AppendAsync(
                        AuditEntry.Refused(AuditActions.Access, problem) with { Detail = $"{request.Method} {LogText.Escape(request.Path.Value)}: {problem.Detail}" },
                        CancellationToken.None).ConfigureAwait(false);
                    throw;
                }

                // Whatever may issue counts against the caller's issuance limit, refused attempts included.
                if (needed == Permission.RequestCertificates)
                {
                    await issuanceLimit.CheckAsync(caller, request.HttpContext.RequestAborted).ConfigureAwait(false);
                }

                return await action(caller).ConfigureAwait(false);
            }
        });

    /// <summary>An endpoint relying parties must reach without credentials (CA certificates, CRLs, OCSP, health).</summary>
    public static Task<IActionResult> RunPublicAsync(HttpRequest request, ILogger logger, Func<Task<IActionResult>> action) =>
        GuardAsync(request, logger, action);

    /// <summary>A header as authenticators read it: its one value, or null when absent or sent more than once.</summary>
    public static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.Count == 1 ? values.ToString() : null;

    private static bool IsSafe(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    private static async Task<IActionResult> GuardAsync(HttpRequest request, ILogger logger, Func<Task<IActionResult>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (ProblemException problem)
        {
            logger.LogInformation("Refused {Method} {Path}: {ProblemType} {Detail}", request.Method, LogText.Escape(request.Path.Value), problem.Type, LogText.Escape(problem.Detail));
            return ProblemResults.From(problem, request);
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return new StatusCodeResult(499);
        }
        catch (Exception e)
        {
            var errorId = Guid.NewGuid().ToString("N");
            logger.LogError(e, "Unhandled error {ErrorId} in {Method} {Path}", errorId, request.Method, LogText.Escape(request.Path.Value));
            return ProblemResults.Create(StatusCodes.Status500InternalServerError, "internal-error", "Internal error",
                $"The service failed unexpectedly; quote error id {errorId} when reporting it.", request);
        }
    }
}
