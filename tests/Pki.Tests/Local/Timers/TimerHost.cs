using Pki.Tests.Infrastructure;
using Pki.Core.Access;
using Azure.Storage.Blobs;
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

namespace Pki.Tests.Local.Timers;

/// <summary>
/// The dev host on a loopback port with only the given test function classes, a fake clock, a probe and captured logs.
/// Its timers' leases live on Azurite under a prefix of its own, unless hosts are started to share one.
/// </summary>
public sealed class TimerHost : IAsyncDisposable
{
    /// <summary>Half a minute before the first every-minute occurrence.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 12, 0, 30, TimeSpan.Zero);

    private bool _disposed;

    private TimerHost(WebApplication app, FakeTimeProvider time, string prefix)
    {
        App = app;
        Time = time;
        Prefix = prefix;
        Client = new HttpClient
        {
            BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
            Timeout = TimerProbe.Patience,
        };
        Client.DefaultRequestHeaders.Add(KeyAuthenticator.ApiKeyHeader, TestCallers.Admin.Key);
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>Pki:Storage:TablePrefix, which names the timers' lease blobs.</summary>
    public string Prefix { get; }

    public HttpClient Client { get; }

    public TimerProbe Probe => App.Services.GetRequiredService<TimerProbe>();

    public TimerFunctionRunner Runner => App.Services.GetRequiredService<TimerFunctionRunner>();

    public TimerScheduler Scheduler => App.Services.GetServices<IHostedService>().OfType<TimerScheduler>().Single();

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public static string NewPrefix() => TestEnvironment.UniqueId("tm");

    public static Task<TimerHost> StartAsync(Type[] functions, params string[] args) => StartScaledOutAsync(functions, NewPrefix(), new FakeTimeProvider(Start), args);

    /// <summary>
    /// A host on the given prefix and clock: hosts started with the same ones share one storage account and their
    /// timers' leases, as the instances of a scaled-out Function App do, and one clock moves them all.
    /// </summary>
    public static async Task<TimerHost> StartScaledOutAsync(Type[] functions, string prefix, FakeTimeProvider time, params string[] args)
    {
        string[] storage = ["--Pki:Storage:ConnectionString=" + TestEnvironment.StorageConnectionString, "--Pki:Storage:TablePrefix=" + prefix];
        var app = DevHost.Build(["--urls=http://127.0.0.1:0", .. storage, .. args], FunctionCatalog.Discover(functions), builder =>
        {
            builder.Logging.ClearProviders().AddFakeLogging();
            builder.Services.AddSingleton<TimeProvider>(time);
            builder.Services.AddSingleton<TimerProbe>();
            builder.Services.AddSingleton(new AccessControl([TestCallers.Authenticator()]));
        });
        await app.StartAsync();
        return new TimerHost(app, time, prefix);
    }

    /// <summary>The blob whose lease decides which host runs the function and which holds its schedule status.</summary>
    public static BlobClient StatusBlob(string prefix, string function) =>
        new(TestEnvironment.StorageConnectionString, TimerLeases.Container, TimerLeases.BlobName(prefix, function));

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test, saying what it waited for, after <see cref="TimerProbe.Patience"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimerProbe.Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Waited {TimerProbe.Patience.TotalSeconds} s for {what}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The occurrence this host's schedule waits for next: it moves past one once this host ran or skipped it.</summary>
    public DateTimeOffset NextDue(string function) => Runner.NextDue(Runner.Functions.Single(f => f.Name == function));

    /// <summary>Moves the clock to the given minute past 12:00 (to its first second).</summary>
    public void AdvanceTo(int minute) => Time.SetUtcNow(Start.AddSeconds(-30).AddMinutes(minute));

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
