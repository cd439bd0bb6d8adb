using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Pki.Core.Discovery.KeyVault;
using Pki.Core.Storage;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// A dev host that may scan loopback, reads vaults from a <see cref="KeyVaultDouble"/>, retries queue
/// messages quickly (through the host's app-setting override of host.json), and records its log.
/// </summary>
public sealed class DiscoveryHostFixture : DevHostFixture
{
    public KeyVaultDouble Vault { get; private set; } = null!;

    /// <summary>PEM files the host trusts as anchors besides our root; a test class sets them before the host starts.</summary>
    public IReadOnlyList<string> TrustAnchorFiles { get; set; } = [];

    public override async Task InitializeAsync()
    {
        Vault = await KeyVaultDouble.StartAsync();
        string[] args =
        [
            "--Pki:Discovery:AllowedNetworks:0=127.0.0.0/8",
            "--Pki:Discovery:AllowedVaultHostSuffixes:0=127.0.0.1",
            "--Pki:Discovery:ConnectTimeoutMs=2000",
            "--Pki:Discovery:HandshakeTimeoutMs=2000",
            "--Pki:Discovery:BatchSize=4",

            // The test endpoints' certificates last 30 days; thresholds below that keep "expiring" out of their findings.
            "--Pki:Inventory:ExpiryThresholdsDays:0=14",
            "--Pki:Inventory:ExpiryThresholdsDays:1=7",
            "--AzureFunctionsJobHost:extensions:queues:visibilityTimeout=00:00:00.200",
            "--AzureFunctionsJobHost:extensions:queues:maxPollingInterval=00:00:00.500",
            .. TrustAnchorFiles.Select((f, i) => $"--Pki:Inventory:TrustAnchorFiles:{i}={f}"),
        ];
        await StartHostAsync(args, services =>
        {
            services.Replace(ServiceDescriptor.Singleton<IKeyVaultClientFactory>(new KeyVaultClientFactory(Vault.Credential, Vault.ClientOptions())));
        });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Vault.DisposeAsync();
    }
}
