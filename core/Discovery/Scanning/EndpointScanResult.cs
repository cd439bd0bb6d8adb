namespace Pki.Core.Discovery.Scanning;

/// <summary>
/// What one endpoint presented. <paramref name="Chain"/> is the certificates exactly as the server sent
/// them (DER, leaf first), empty unless the outcome is <see cref="ScanOutcome.Tls"/>.
/// </summary>
public sealed record EndpointScanResult(
    ScannedEndpoint Endpoint,
    string? Address,
    ScanOutcome Outcome,
    IReadOnlyList<byte[]> Chain,
    string? Protocol,
    string? Message,
    TimeSpan Elapsed);
