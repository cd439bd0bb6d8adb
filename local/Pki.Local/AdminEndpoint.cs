using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pki.Functions.Http;
using Pki.Local.Timers;

namespace Pki.Local;

/// <summary>
/// The Functions host's admin API for running a non-HTTP function by hand:
/// <c>POST /admin/functions/{name}</c> with <c>{"input": ""}</c> answers 202 and starts the run.
/// </summary>
public static class AdminEndpoint
{
    public const string Route = "/admin/functions/{name}";

    public static Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
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
