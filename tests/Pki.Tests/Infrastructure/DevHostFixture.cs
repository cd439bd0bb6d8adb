using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Pki.Core.Authority;
using Pki.Core.Signing;
using Pki.Core.Storage;
using Pki.Local;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// The dev host on a free loopback port, on Azurite and the SoftHSM2 token, with its own table
/// prefix and CA ids so test classes do not see each other's state.
/// </summary>
public class DevHostFixture : IAsyncLifetime
{
    public const string PublicBaseUrl = "http://pki.test:7071";

    public DevHostFixture()
        : this(TestEnvironment.UniqueId("t"), TestEnvironment.UniqueId("root-"), TestEnvironment.UniqueId("issuing-"))
    {
    }

    protected DevHostFixture(string tablePrefix, string rootId, string issuingId)
    {
        TablePrefix = tablePrefix;
        RootId = rootId;
        IssuingId = issuingId;
    }

    public string TablePrefix { get; }

    public string RootId { get; }

    public string IssuingId { get; }

    public WebApplication App { get; protected set; } = null!;

    public HttpClient Client { get; protected set; } = null!;

    public Uri BaseAddress { get; protected set; } = null!;

    /// <summary>What the host logged (at the host's levels: Warning and up unless a fixture says otherwise).</summary>
    public FakeLogCollector Logs => LogProvider.Collector;

    private FakeLoggerProvider LogProvider { get; } = new();

    public virtual Task InitializeAsync() => StartHostAsync([], configureServices: null);

    /// <summary>Starts this fixture's host with extra settings and services, records its log, and points <see cref="Client"/> at it.</summary>
    protected async Task StartHostAsync(string[] extraArgs, Action<IServiceCollection>? configureServices)
    {
        App = await StartAsync(TablePrefix, RootId, IssuingId, extraArgs, services =>
        {
            services.AddSingleton<ILoggerProvider>(LogProvider);
            configureServices?.Invoke(services);
        });
        BaseAddress = new Uri(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Client = TestCallers.Admin.Client(BaseAddress);
    }

    /// <summary>The errors the host logged, for a failure message to say why a request failed.</summary>
    public string ErrorLog() => string.Join("\n", Logs.GetSnapshot().Where(l => l.Level >= LogLevel.Error).Select(l => l.Message + " " + l.Exception));

    /// <summary>One of this host's queues, by its name before the prefix.</summary>
    public QueueClient Queue(string name) =>
        new(TestEnvironment.StorageConnectionString, QueueNames.Resolve(TablePrefix, name), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    public static Task<WebApplication> StartAsync(string tablePrefix, string rootId, string issuingId, params string[] extraArgs) =>
        StartAsync(tablePrefix, rootId, issuingId, extraArgs, configureServices: null);

    /// <summary>
    /// The settings of every test host, in-process or a process of its own: the test Azurite and token, this table prefix
    /// and these CA ids, the test callers, warnings only, and timers that run only by hand.
    /// </summary>
    public static string[] HostArgs(string tablePrefix, string rootId, string issuingId) =>
    [
        "--urls=http://127.0.0.1:0",
        "--Pki:PublicBaseUrl=" + PublicBaseUrl,
        "--Pki:Signing:Provider=pkcs11",
        "--Pki:Signing:Pkcs11:LibraryPath=" + TestEnvironment.Pkcs11Library,
        "--Pki:Signing:Pkcs11:TokenLabel=" + TestEnvironment.TokenLabel,
        "--Pki:Signing:Pkcs11:UserPin=" + TestEnvironment.UserPin,
        "--Pki:Storage:ConnectionString=" + TestEnvironment.StorageConnectionString,
        "--Pki:Storage:TablePrefix=" + tablePrefix,
        "--Pki:Ca:RootId=" + rootId,
        "--Pki:Ca:IssuingId=" + issuingId,
        "--Logging:LogLevel:Default=Warning",

        // Scheduled runs would change state under the tests' feet; a test runs a timer function by hand.
        "--DevHost:DisableTimers=true",
        .. TestCallers.HostArgs(),
    ];

    /// <summary>A host with extra settings and services of a test's own (registered after the host's, so they win).</summary>
    public static async Task<WebApplication> StartAsync(string tablePrefix, string rootId, string issuingId, string[] extraArgs, Action<IServiceCollection>? configureServices)
    {
        string[] args = [.. HostArgs(tablePrefix, rootId, issuingId), .. extraArgs];

        // One PKCS#11 initialisation per process: every host in the test run shares the token session.
        var app = DevHost.Build(args, services =>
        {
            services.Replace(ServiceDescriptor.Singleton<IKeyManager>(SharedPkcs11.Instance));
            configureServices?.Invoke(services);
        });
        await app.StartAsync();
        foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            HostFollowUps.Register(new Uri(address), app.Services.GetRequiredService<IssuanceFollowUp>());
        }

        return app;
    }

    /// <summary>Counts rows in one of this host's tables (a scan, fine for a test); zero if it does not exist yet.</summary>
    public async Task<int> CountRowsAsync(string table)
    {
        var client = new TableClient(TestEnvironment.StorageConnectionString, TablePrefix + table);
        var count = 0;
        try
        {
            await foreach (var _ in client.QueryAsync<TableEntity>(select: ["PartitionKey"]))
            {
                count++;
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }

        return count;
    }

    public async Task<(int Certificates, int Requests, int Index)> CountStateAsync() =>
        (await CountRowsAsync(TableNames.Certificates), await CountRowsAsync(TableNames.Requests), await CountRowsAsync(TableNames.ExpiryIndex));

    public virtual async Task DisposeAsync()
    {
        Client?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        LogProvider.Dispose();
    }
}
