using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Http;
using Pki.Functions;
using Pki.Functions.Http;

namespace Pki.Local;

/// <summary>
/// Runs the function classes of Pki.Functions in-process on Kestrel, because Functions Core Tools
/// cannot be installed here. Same services, same routes (from the [Function] attributes), same host.json prefix.
/// </summary>
public static class DevHost
{
    public const string DefaultUrl = "http://localhost:7071";

    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddMvcCore();
        builder.Services.AddPkiFunctions(builder.Configuration);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        var prefix = HostJson.RoutePrefix(Path.Combine(AppContext.BaseDirectory, "host.json"));
        foreach (var route in FunctionCatalog.Discover(typeof(FunctionsServiceCollectionExtensions).Assembly).HttpRoutes)
        {
            app.MapMethods("/" + prefix + "/" + route.Route, route.Methods.Select(m => m.ToUpperInvariant()), FunctionEndpoint.Create(route))
                .WithDisplayName(route.Name);
        }

        // The Functions host answers unknown routes with an empty 404; ours says what exists.
        app.MapFallback(context => FunctionEndpoint.ExecuteAsync(
            ProblemResults.Create(StatusCodes.Status404NotFound, "no-such-route", "Not found", $"No function serves {context.Request.Method} on this path.", context.Request),
            context));

        return app;
    }
}
