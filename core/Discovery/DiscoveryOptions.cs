namespace Pki.Core.Discovery;

/// <summary>Discovery settings. Bound from <c>Pki:Discovery</c>.</summary>
public sealed class DiscoveryOptions
{
    /// <summary>
    /// CIDR ranges that endpoint targets may resolve to, such as <c>10.0.0.0/8</c>. Empty (the default)
    /// allows no endpoint at all: the service never scans an address on a caller's word alone.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>
    /// Domains a Key Vault target's host must be, or lie under (https only). Entries configured are added
    /// to the default, <c>.vault.azure.net</c>; sovereign clouds add theirs (<c>.vault.azure.cn</c>).
    /// </summary>
    public List<string> AllowedVaultHostSuffixes { get; set; } = [".vault.azure.net"];

    /// <summary>Largest CIDR range a target may name, in addresses.</summary>
    public int MaxAddressesPerRange { get; set; } = 256;

    /// <summary>Most ports one target may list.</summary>
    public int MaxPortsPerTarget { get; set; } = 16;

    /// <summary>Most host names one host-list target may hold (at most 100, so a target fits one table row).</summary>
    public int MaxHostsPerList { get; set; } = 100;

    /// <summary>Most endpoints all targets together may stand for: what one sweep scans.</summary>
    public int MaxEndpointsPerSweep { get; set; } = 65536;

    /// <summary>A sweep not finished after this long no longer stops a new one from starting.</summary>
    public int SweepTimeoutMinutes { get; set; } = 60;

    /// <summary>Most discovery targets the service keeps.</summary>
    public int MaxTargets { get; set; } = 1000;

    /// <summary>Endpoints per queue message of a sweep (at most 64, so a message stays under the queue's 64 KiB).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Handshakes one scanner instance runs at once.</summary>
    public int ScanConcurrency { get; set; } = 32;

    /// <summary>Time allowed for the TCP connection, in milliseconds.</summary>
    public int ConnectTimeoutMs { get; set; } = 3000;

    /// <summary>Time allowed for the TLS handshake after the connection, in milliseconds.</summary>
    public int HandshakeTimeoutMs { get; set; } = 5000;

    /// <summary>
    /// Most versions of one Key Vault certificate a listing reads, the newest by creation time. Older
    /// versions are superseded renewals; the bound keeps a long-lived name from dominating a sweep.
    /// </summary>
    public int MaxVersionsPerVaultCertificate { get; set; } = 20;

    /// <summary>
    /// After a handshake at TLS 1.2 or 1.3, try one offering only TLS 1.1 and 1.0 (and 1.0 alone if the server took 1.1),
    /// as sslscan and testssl.sh do, so an endpoint that still accepts them is a finding. One or two more connections per
    /// endpoint, each ending at the server's answer to the ClientHello.
    /// </summary>
    public bool ProbeLegacyProtocols { get; set; } = true;
}
