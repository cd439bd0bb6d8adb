using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Acme;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// A challenge's first attempt runs on the host that was asked, at once; the queue message sent before it is only
/// the backup. Here the queue keeps every message and delivers none, so a valid authorization can only come from the
/// host's own attempt, and the kept messages can be delivered by hand to play a host that stopped.
/// </summary>
public sealed class AcmeValidationStarterTests(AcmeValidationStarterTests.QueuelessHost host) : IClassFixture<AcmeValidationStarterTests.QueuelessHost>
{
    [Fact]
    public async Task The_first_attempt_runs_on_the_host_and_the_delayed_backup_message_then_changes_nothing()
    {
        var client = await RegisteredAsync();
        var (authorizationUrl, authorizationId) = await OrderAsync(client, "client.web.internal");

        await client.ValidateAsync(authorizationUrl, host.Http01Port); // valid, with no message ever delivered
        var sent = Assert.Single(host.Validations.Sent, m => m.Message.AuthorizationId == authorizationId);
        Assert.Equal(new AcmeValidationMessage(authorizationId, AcmeChallenge.Http01, 0), sent.Message);
        Assert.Equal(AcmeValidationStarter.BackupDelay(5), sent.Delay); // the fixture's ValidationTimeoutSeconds

        // The backup, delivered when it becomes visible, finds the attempt recorded and changes nothing.
        var store = host.App.Services.GetRequiredService<IAcmeStore>();
        var before = await store.GetAuthorizationAsync(authorizationId);
        await host.App.Services.GetRequiredService<AcmeValidationService>().ValidateAsync(sent.Message);
        var after = await store.GetAuthorizationAsync(authorizationId);
        Assert.Equal(before!.Version, after!.Version);
        Assert.Equal(AcmeStatus.Valid, after.Value.Status);
        Assert.Equal(1, after.Value.Challenges.Single(c => c.Type == AcmeChallenge.Http01).Attempts);
    }

    [Fact]
    public async Task When_the_host_stopped_before_its_attempt_the_backup_message_does_it()
    {
        var client = await RegisteredAsync();
        var (authorizationUrl, authorizationId) = await OrderAsync(client, "node.web.internal");

        // The state a host leaves when it answered "processing" and stopped before its attempt: written here directly.
        var store = host.App.Services.GetRequiredService<IAcmeStore>();
        var found = await store.GetAuthorizationAsync(authorizationId);
        var challenge = found!.Value.Challenges.Single(c => c.Type == AcmeChallenge.Http01);
        var processing = found.Value with
        {
            Challenges = [.. found.Value.Challenges.Select(c => c.Type == AcmeChallenge.Http01 ? c with { Status = AcmeStatus.Processing } : c)],
        };
        Assert.True(await store.TryReplaceAuthorizationAsync(processing, found.Version));

        var keyAuthorization = challenge.Token + "." + client.Thumbprint();
        await using var server = await AcmeTestClient.Http01ServerAsync(host.Http01Port, challenge.Token, keyAuthorization);
        await host.App.Services.GetRequiredService<AcmeValidationService>().ValidateAsync(new AcmeValidationMessage(authorizationId, AcmeChallenge.Http01, 0));

        using var read = await client.PostAsync(authorizationUrl, null);
        Assert.Equal("valid", (await AcmeTestClient.JsonAsync(read))["status"]!.GetValue<string>());
    }

    private async Task<AcmeTestClient> RegisteredAsync()
    {
        var (kid, hmac) = await host.CreateEabAsync();
        var client = await AcmeTestClient.Es256(host.AcmeClient(), host.DirectoryUrl).LoadAsync();
        await client.RegisterAsync(kid, hmac);
        return client;
    }

    private static async Task<(string Url, string Id)> OrderAsync(AcmeTestClient client, string name)
    {
        using var order = await client.PostAsync(client.Url("newOrder"), new JsonObject
        {
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "dns", ["value"] = name }),
        });
        Assert.Equal(HttpStatusCode.Created, order.StatusCode);
        var url = (await AcmeTestClient.JsonAsync(order))["authorizations"]![0]!.GetValue<string>();
        return (url, url.TrimEnd('/').Split('/')[^1]);
    }

    /// <summary>The ACME host with a validation queue that keeps what it is sent and never delivers it.</summary>
    public sealed class QueuelessHost : AcmeHostFixture
    {
        public KeepingQueue Validations { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) =>
            services.AddSingleton<IAcmeValidationQueue>(Validations);
    }

    public sealed class KeepingQueue : IAcmeValidationQueue
    {
        public ConcurrentQueue<(AcmeValidationMessage Message, TimeSpan Delay)> Sent { get; } = new();

        public Task SendAsync(AcmeValidationMessage message, TimeSpan delay, CancellationToken cancellationToken = default)
        {
            Sent.Enqueue((message, delay));
            return Task.CompletedTask;
        }
    }
}
