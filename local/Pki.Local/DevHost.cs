using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pki.Core.Storage;
using Pki.Functions;
using Pki.Functions.Http;
using Pki.Local.Clock;
using Pki.Local.Events;
using Pki.Local.Queues;
using Pki.Local.Timers;
using Pki.Local.Tls;

namespace Pki.Local;

/// <summary>
/// Runs the function classes of Pki.Functions in-process on Kestrel, because Functions Core Tools
/// cannot be installed here. Same services, same routes (from the [Function] attributes), same host.json
/// prefix, timer functions on their schedules, queue functions on their queues, and the host's admin endpoint
/// to run a timer function by hand. Unlike the Functions host, its clock can be moved forward (see <see cref="DevClock"/>).
/// </summary>
public static class DevHost
{
    public const string DefaultUrl = "http://localhost:7071";

    /// <summary>
    /// The console's default levels, beneath every configuration source. One line per request at most: the host's own
    /// (<see cref="RequestLog"/>). ASP.NET Core's five lines a request (request starting/finished, endpoint executing/executed,
    /// result), which the Functions host does not write either and which cost more than an OCSP answer, and the service's
    /// Information lines (audit records, the lines around each signature, every CRL published, …) start at Warning;
    /// the dev host's own lines (requests, timer runs, queues, the clock) at Information.
    /// <c>Logging__LogLevel__Pki=Information</c> brings the service's lines back.
    /// </summary>
    private static readonly Dictionary<string, string?> LoggingDefaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Logging:LogLevel:Microsoft.AspNetCore"] = nameof(LogLevel.Warning),
        ["Logging:LogLevel:Pki"] = nameof(LogLevel.Warning),
        ["Logging:LogLevel:Pki.Local"] = nameof(LogLevel.Information),
    };

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

        // Index 0 is the lowest precedence: Logging__LogLevel__Microsoft.AspNetCore=Information (or appsettings) still wins.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LoggingDefaults });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddMvcCore();
        builder.Services.AddOptions<DevHostOptions>().Bind(builder.Configuration.GetSection(DevHostOptions.Section));
        var hostJson = Path.Combine(AppContext.BaseDirectory, "host.json");

        // Bound before configure runs, so that a test's own options for the listeners win.
        // App settings named AzureFunctionsJobHost__extensions__queues__… override host.json, as in the Functions host.
        builder.Services.AddOptions<QueueListenerOptions>()
            .Bind(HostJson.Configuration(hostJson).GetSection(QueueListenerOptions.HostJsonSection))
            .Bind(builder.Configuration.GetSection(HostJson.AppSettingOverrides + ":" + QueueListenerOptions.HostJsonSection));
        builder.Services.AddSingleton(functions);
        builder.Services.AddSingleton(TimerLeases.Create);
        builder.Services.AddSingleton<StorageRequestTotals>();
        builder.Services.AddSingleton<RequestLog>();
        builder.Services.AddSingleton<TimerFunctionRunner>();

        // Registered before the functions' services, whose TryAdd of the system clock then adds nothing: every service of
        // this host reads the dev clock, which an admin can move forward. A test's own clock, added after, still wins.
        builder.Services.AddSingleton(_ => new DevClock());
        builder.Services.AddSingleton<TimeProvider>(services => services.GetRequiredService<DevClock>());
        builder.Services.AddSingleton(ClockOffsetStore.Create);
        builder.Services.AddSingleton<DevClockControl>();

        // https:// URLs (ACME clients insist on TLS) are served with a certificate our own CA issues this host.
        builder.Services.AddSingleton<DevTlsCertificate>();
        // The selector satisfies Kestrel's check that an https endpoint has a certificate; the handshake itself is given
        // the certificate with its issuing CA (a selector's certificate would go out alone).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificateSelector = (_, _) => kestrel.ApplicationServices.GetRequiredService<DevTlsCertificate>().Get();
            https.OnAuthenticate = (_, ssl) =>
            {
                ssl.ServerCertificateSelectionCallback = null;
                ssl.ServerCertificateContext = kestrel.ApplicationServices.GetRequiredService<DevTlsCertificate>().Context();
            };
        }));
        configure(builder);

        // Registered after the functions' own hosted services (the CA bootstrap), which thus start first.
        builder.Services.AddHostedService<TimerScheduler>();
        var queuesOff = builder.Configuration.GetSection(DevHostOptions.Section).Get<DevHostOptions>()?.DisableQueues ?? false;
        if (!queuesOff)
        {
            foreach (var queue in functions.Queues)
            {
                builder.Services.AddSingleton<IHostedService>(services => QueueListener.Create(services, queue));
            }
        }

        var app = builder.Build();

        // The offset kept by an earlier run on this storage, read before any schedule counts from the clock.
        app.Services.GetRequiredService<DevClockControl>().LoadAsync().GetAwaiter().GetResult();

        // Made now, not when the scheduler's loop first asks: schedules count from the host's start, so a
        // clock that moves before the loop runs (a fake one in tests, a busy machine) cannot skip an occurrence.
        _ = app.Services.GetRequiredService<TimerFunctionRunner>();
        _ = app.Services.GetRequiredService<StorageRequestTotals>();
        if (queuesOff && functions.Queues.Count > 0)
        {
            app.Logger.LogInformation("Queue listeners are off ({Setting}); {Count} queue functions do not run", "DevHost:DisableQueues", functions.Queues.Count);
        }

        // Storage requests sent while a request is answered count as its own (StorageMetrics' phases).
        app.Use(async (context, next) =>
        {
            using var phase = StorageMetrics.Phase(StorageMetrics.RequestPhase);
            await next(context);
        });

        var requestLog = app.Services.GetRequiredService<RequestLog>();
        app.Use((context, next) => requestLog.InvokeAsync(context, next));

        var prefix = HostJson.RoutePrefix(hostJson);
        foreach (var route in functions.HttpRoutes)
        {
            app.MapMethods("/" + prefix + "/" + route.Route, route.Methods.Select(m => m.ToUpperInvariant()), FunctionEndpoint.Create(route))
                .WithDisplayName(route.Name);
        }

        app.MapPost(AdminEndpoint.Route, AdminEndpoint.HandleAsync);
        app.MapGet(StorageRequestTotals.Route, AdminEndpoint.StorageRequestsAsync);
        app.MapGet(ClockEndpoint.Route, ClockEndpoint.GetAsync);
        app.MapPost(ClockEndpoint.Route, ClockEndpoint.PostAsync);
        app.MapGet(EventsEndpoint.Route, EventsEndpoint.PeekAsync);
        app.MapPost(EventsEndpoint.TakeRoute, EventsEndpoint.TakeAsync);

        // The Functions host answers unknown routes with an empty 404; ours says what exists.
        app.MapFallback(context => FunctionEndpoint.ExecuteAsync(
            ProblemResults.Create(StatusCodes.Status404NotFound, "no-such-route", "Not found", $"No function serves {context.Request.Method} on this path.", context.Request),
            context));

        return app;
    }
}
