using Pki.Tests.Infrastructure;
using Pki.Core.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Pki.Local;
using Pki.Local.Timers;

namespace Pki.Tests.Unit.Timers;

/// <summary>The dev host on a loopback port with only the given test function classes, a fake clock, a probe and captured logs.</summary>
public sealed class TimerHost : IAsyncDisposable
{
    /// <summary>Half a minute before the first every-minute occurrence.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 12, 0, 30, TimeSpan.Zero);

    private TimerHost(WebApplication app, FakeTimeProvider time)
    {
        App = app;
        Time = time;
        Client = new HttpClient
        {
            BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
            Timeout = TimerProbe.Patience,
        };
        Client.DefaultRequestHeaders.Add(KeyAuthenticator.ApiKeyHeader, TestCallers.Admin.Key);
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public TimerProbe Probe => App.Services.GetRequiredService<TimerProbe>();

    public TimerFunctionRunner Runner => App.Services.GetRequiredService<TimerFunctionRunner>();

    public TimerScheduler Scheduler => App.Services.GetServices<IHostedService>().OfType<TimerScheduler>().Single();

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public static async Task<TimerHost> StartAsync(Type[] functions, params string[] args)
    {
        var time = new FakeTimeProvider(Start);
        var app = DevHost.Build(["--urls=http://127.0.0.1:0", .. args], FunctionCatalog.Discover(functions), builder =>
        {
            builder.Logging.ClearProviders().AddFakeLogging();
            builder.Services.AddSingleton<TimeProvider>(time);
            builder.Services.AddSingleton<TimerProbe>();
            builder.Services.AddSingleton(new AccessControl([TestCallers.Authenticator()]));
        });
        await app.StartAsync();
        return new TimerHost(app, time);
    }

    /// <summary>Moves the clock to the given minute past 12:00 (to its first second).</summary>
    public void AdvanceTo(int minute) => Time.SetUtcNow(Start.AddSeconds(-30).AddMinutes(minute));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
