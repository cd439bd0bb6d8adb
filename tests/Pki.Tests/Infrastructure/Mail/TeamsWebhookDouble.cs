using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pki.Tests.Infrastructure.Mail;

/// <summary>
/// Stands in for Teams Workflows webhooks on a loopback port: <c>POST /workflows/{name}</c> records the JSON body and
/// answers 202 as Workflows does, or the status a test sets for that name (a 5xx to play an outage).
/// </summary>
public sealed class TeamsWebhookDouble : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Name, JsonNode Body)> _posts = new();

    private TeamsWebhookDouble(WebApplication app)
    {
        _app = app;
        BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/') + "/");
    }

    public Uri BaseUri { get; }

    /// <summary>Status codes by webhook name; absent names answer 202.</summary>
    public ConcurrentDictionary<string, int> Failing { get; } = new(StringComparer.Ordinal);

    public static async Task<TeamsWebhookDouble> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        TeamsWebhookDouble? self = null;
        app.MapPost("/workflows/{name}", async (string name, HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body);
            if (self!.Failing.TryGetValue(name, out var status))
            {
                return Results.StatusCode(status);
            }

            self._posts.Enqueue((name, body!));
            return Results.Accepted();
        });
        await app.StartAsync();
        self = new TeamsWebhookDouble(app);
        return self;
    }

    public string Url(string name) => new Uri(BaseUri, "workflows/" + name).AbsoluteUri;

    /// <summary>The posts a webhook accepted, in order.</summary>
    public IReadOnlyList<JsonNode> Posts(string name) => _posts.Where(p => p.Name == name).Select(p => p.Body).ToArray();

    public async Task<JsonNode> WaitForAsync(string name, Func<JsonNode, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (Posts(name).FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No matching post reached webhook '{name}'; it has {Posts(name).Count}.");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
