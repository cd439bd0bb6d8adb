using Pki.Core.Inventory;

namespace Pki.Core.Discovery.Scanning;

/// <summary>
/// What one endpoint presented. <paramref name="Chain"/> is the certificates exactly as the server sent
/// them (DER, leaf first), empty unless the outcome is <see cref="ScanOutcome.Tls"/>. <paramref name="LegacyProtocols"/>
/// are the deprecated versions (RFC 8996) the endpoint accepts: "Tls11", "Tls10"; empty when none or not probed.
/// </summary>
public sealed record EndpointScanResult(
    ScannedEndpoint Endpoint,
    string? Address,
    ScanOutcome Outcome,
    IReadOnlyList<byte[]> Chain,
    string? Protocol,
    string? Message,
    TimeSpan Elapsed,
    IReadOnlyList<string>? LegacyProtocols = null)
{
    /// <summary>What the inventory records of this result: where, and the chain (none unless the outcome is TLS).</summary>
    public EndpointSighting ToSighting() =>
        new(Endpoint.Location, Endpoint.Host, Endpoint.ServerName, Address, Outcome == ScanOutcome.Tls ? Chain : [], LegacyProtocols);
}
