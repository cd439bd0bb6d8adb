using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Pki.Core.Storage;
using Pki.Local;
using Pki.Local.Queues;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Local.Queues;

/// <summary>
/// The dev host on Azurite with only the given test queue functions, a queue prefix of its own (so no two tests share
/// a queue), listener options that keep tests fast, a probe and captured logs. Its queues are deleted on dispose.
/// </summary>
public sealed class QueueHost : IAsyncDisposable
{
    private bool _stopped;

    private QueueHost(WebApplication app, string prefix)
    {
        App = app;
        Prefix = prefix;
    }

    public WebApplication App { get; }

    public string Prefix { get; }

    public QueueProbe Probe => App.Services.GetRequiredService<QueueProbe>();

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public IReadOnlyList<QueueListener> Listeners => App.Services.GetServices<IHostedService>().OfType<QueueListener>().ToArray();

    public static string NewPrefix() => TestEnvironment.UniqueId("q");

    /// <summary>
    /// Starts a host for <paramref name="functions"/>. Failed messages come back at once and an empty queue is polled
    /// at least every 200 ms; <paramref name="configure"/> may change that. The storage connection is passed as
    /// Pki:Storage:ConnectionString unless <paramref name="withConnection"/> is false.
    /// </summary>
    public static async Task<QueueHost> StartAsync(
        Type[] functions, string? prefix = null, Action<QueueListenerOptions>? configure = null, bool withConnection = true, string[]? args = null)
    {
        prefix ??= NewPrefix();
        string[] storage = withConnection ? ["--Pki:Storage:ConnectionString=" + TestEnvironment.StorageConnectionString] : [];
        args ??= [];
        var app = DevHost.Build(["--urls=http://127.0.0.1:0", "--Pki:Storage:TablePrefix=" + prefix, .. storage, .. args], FunctionCatalog.Discover(functions), builder =>
        {
            builder.Logging.ClearProviders().AddFakeLogging();
            builder.Services.AddSingleton<QueueProbe>();
            builder.Services.Configure<QueueListenerOptions>(o =>
            {
                o.VisibilityTimeout = TimeSpan.Zero;
                o.MaxPollingInterval = TimeSpan.FromMilliseconds(200);
                configure?.Invoke(o);
            });
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new QueueHost(app, prefix);
    }

    /// <summary>A client for this host's queue of that name that encodes bodies as base64, as senders for the Functions host do.</summary>
    public QueueClient Queue(string name) => Client(Prefix, name, QueueMessageEncoding.Base64);

    /// <summary>A client for this host's queue of that name that sends and reads the stored text as it is.</summary>
    public QueueClient RawQueue(string name) => Client(Prefix, name, QueueMessageEncoding.None);

    public static QueueClient Client(string prefix, string name, QueueMessageEncoding encoding) =>
        new(TestEnvironment.StorageConnectionString, QueueNames.Resolve(prefix, name), new QueueClientOptions { MessageEncoding = encoding });

    /// <summary>The messages now visible in the queue; none if the queue does not exist.</summary>
    public static async Task<PeekedMessage[]> PeekAsync(QueueClient queue)
    {
        try
        {
            return (await queue.PeekMessagesAsync(maxMessages: 32)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
    }

    /// <summary>The queue's approximate count, visible and invisible messages alike; zero once every message is deleted.</summary>
    public static async Task<int> CountAsync(QueueClient queue) => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test, saying what it waited for, after <see cref="QueueProbe.Patience"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + QueueProbe.Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Waited {QueueProbe.Patience.TotalSeconds} s for {what}.");
            }

            await Task.Delay(50);
        }
    }

    public async Task StopAsync()
    {
        _stopped = true;
        await App.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await StopAsync();
        }

        await App.DisposeAsync();
        var service = new QueueServiceClient(TestEnvironment.StorageConnectionString);
        await foreach (var queue in service.GetQueuesAsync(prefix: Prefix.ToLowerInvariant()))
        {
            await service.DeleteQueueAsync(queue.Name);
        }
    }
}
