using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pki.Core.Access;
using Pki.Core.Errors;
using Pki.Functions.Http;
using Pki.Local.Timers;

namespace Pki.Local;

/// <summary>
/// The Functions host's admin API for running a non-HTTP function by hand:
/// <c>POST /admin/functions/{name}</c> with <c>{"input": ""}</c> answers 202 and starts the run. The host
/// guards it with its master key; here it needs a caller with the admin role, through the same access control.
/// </summary>
public static class AdminEndpoint
{
    public const string Route = "/admin/functions/{name}";

    public static async Task HandleAsync(HttpContext context)
    {
        if (await AuthorizeAsync(context))
        {
            await RunAsync(context);
        }
    }

    /// <summary><c>GET /admin/metrics/storage-requests</c>: the storage requests sent since start, by service (admins only).</summary>
    public static async Task StorageRequestsAsync(HttpContext context)
    {
        if (await AuthorizeAsync(context))
        {
            await context.Response.WriteAsJsonAsync(context.RequestServices.GetRequiredService<StorageRequestTotals>().Snapshot());
        }
    }

    /// <summary>The caller must be an admin, through the same access control as the API; otherwise the problem is written.</summary>
    internal static async Task<bool> AuthorizeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var caller = await context.RequestServices.GetRequiredService<AccessControl>()
                .AuthenticateAsync(name => HttpFunction.Header(context.Request, name), context.RequestAborted);
            if (!caller.Roles.Contains(Roles.Admin))
            {
                throw ProblemException.Forbidden("missing-role", $"Caller '{caller.Id}' is not an admin; the host's admin endpoints need the admin role.");
            }

            return true;
        }
        catch (ProblemException problem)
        {
            await FunctionEndpoint.ExecuteAsync(ProblemResults.From(problem, context.Request), context);
            return false;
        }
    }

    private static Task RunAsync(HttpContext context)
    {
        var name = context.GetRouteValue("name")?.ToString() ?? string.Empty;
        var runner = context.RequestServices.GetRequiredService<TimerFunctionRunner>();
        if (!runner.Contains(name))
        {
            var known = string.Join(", ", runner.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
            return FunctionEndpoint.ExecuteAsync(
                ProblemResults.Create(StatusCodes.Status404NotFound, "no-such-function", "Not found",
                    $"No timer function is named '{name}'. Functions that run by hand here: {(known.Length == 0 ? "none" : known)}.", context.Request),
                context);
        }

        // The host starts the run and answers at once; the body's input means nothing to a timer function.
        // The runner logs a failure; reading the exception here only marks it observed.
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        _ = Task.Run(() => runner.RunAsync(name, stopping), CancellationToken.None)
            .ContinueWith(static run => run.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        return Task.CompletedTask;
    }
}
