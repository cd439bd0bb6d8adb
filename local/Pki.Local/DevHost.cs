using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pki.Functions;
using Pki.Functions.Http;
using Pki.Local.Timers;

namespace Pki.Local;

/// <summary>
/// Runs the function classes of Pki.Functions in-process on Kestrel, because Functions Core Tools
/// cannot be installed here. Same services, same routes (from the [Function] attributes), same host.json
/// prefix, timer functions on their schedules, and the host's admin endpoint to run one by hand.
/// </summary>
public static class DevHost
{
    public const string DefaultUrl = "http://localhost:7071";

    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null) =>
        Build(args, FunctionCatalog.Discover(typeof(FunctionsServiceCollectionExtensions).Assembly), builder =>
        {
            builder.Services.AddPkiFunctions(builder.Configuration);
            configureServices?.Invoke(builder.Services);
        });

    /// <summary>A dev host for any function classes, given the services they need; tests host classes of their own with it.</summary>
    public static WebApplication Build(string[] args, FunctionCatalog functions, Action<WebApplicationBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddMvcCore();
        builder.Services.AddOptions<DevHostOptions>().Bind(builder.Configuration.GetSection(DevHostOptions.Section));
        builder.Services.AddSingleton(functions);
        builder.Services.AddSingleton<TimerFunctionRunner>();
        configure(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);

        // Registered after the functions' own hosted services (the CA bootstrap), which thus start first.
        builder.Services.AddHostedService<TimerScheduler>();

        var app = builder.Build();

        // Made now, not when the scheduler's loop first asks: schedules count from the host's start, so a
        // clock that moves before the loop runs (a fake one in tests, a busy machine) cannot skip an occurrence.
        _ = app.Services.GetRequiredService<TimerFunctionRunner>();
        var prefix = HostJson.RoutePrefix(Path.Combine(AppContext.BaseDirectory, "host.json"));
        foreach (var route in functions.HttpRoutes)
        {
            app.MapMethods("/" + prefix + "/" + route.Route, route.Methods.Select(m => m.ToUpperInvariant()), FunctionEndpoint.Create(route))
                .WithDisplayName(route.Name);
        }

        app.MapPost(AdminEndpoint.Route, AdminEndpoint.HandleAsync);

        // The Functions host answers unknown routes with an empty 404; ours says what exists.
        app.MapFallback(context => FunctionEndpoint.ExecuteAsync(
            ProblemResults.Create(StatusCodes.Status404NotFound, "no-such-route", "Not found", $"No function serves {context.Request.Method} on this path.", context.Request),
            context));

        return app;
    }
}
