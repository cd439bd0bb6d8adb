using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// The openssl endpoints that fail in known ways, and a dev host that trusts their test root: the host
/// needs the root's file before it starts, so one fixture starts both in order.
/// </summary>
public sealed class DiscoverySweepFixture : IAsyncLifetime
{
    private readonly string _anchorDirectory = Directory.CreateTempSubdirectory("pki-anchors-").FullName;

    public TlsEndpoints Endpoints { get; } = new();

    public DiscoveryHostFixture Host { get; } = new();

    public async Task InitializeAsync()
    {
        await Endpoints.InitializeAsync();
        var anchor = Path.Combine(_anchorDirectory, "root.pem");
        await File.WriteAllTextAsync(anchor, Endpoints.RootPem);
        Host.TrustAnchorFiles = [anchor];
        await Host.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Endpoints.DisposeAsync();
        Directory.Delete(_anchorDirectory, recursive: true);
    }
}
