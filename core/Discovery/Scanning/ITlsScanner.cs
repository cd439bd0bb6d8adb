namespace Pki.Core.Discovery.Scanning;

/// <summary>Does TLS handshakes and reports what each endpoint presented; never throws for one endpoint's failure.</summary>
public interface ITlsScanner
{
    Task<EndpointScanResult> ScanAsync(ScannedEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>Scans all, with the configured concurrency; results in the order of <paramref name="endpoints"/>.</summary>
    Task<IReadOnlyList<EndpointScanResult>> ScanAllAsync(IReadOnlyList<ScannedEndpoint> endpoints, CancellationToken cancellationToken);
}
