namespace Pki.Core.Discovery;

/// <summary>Start-up checks of <c>Pki:Discovery</c>, each naming the setting (called by <see cref="PkiOptionsValidator"/>).</summary>
public static class DiscoveryOptionsValidation
{
    public static void Validate(DiscoveryOptions d, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Discovery";
        foreach (var network in d.AllowedNetworks)
        {
            if (!NetworkPolicy.TryParseNetwork(network, out _))
            {
                errors.Add($"{s}:AllowedNetworks holds '{network}', which is not a CIDR range such as 10.0.0.0/8 (host bits must be zero).");
            }
        }

        foreach (var suffix in d.AllowedVaultHostSuffixes)
        {
            if (string.IsNullOrWhiteSpace(suffix.TrimStart('.')) || Uri.CheckHostName(suffix.TrimStart('.')) == UriHostNameType.Unknown)
            {
                errors.Add($"{s}:AllowedVaultHostSuffixes holds '{suffix}'; each entry is a host or domain name, such as .vault.azure.net.");
            }
        }

        var ranges = new (string Setting, int Value, int Min, int Max)[]
        {
            ("MaxAddressesPerRange", d.MaxAddressesPerRange, 1, 65536),
            ("MaxPortsPerTarget", d.MaxPortsPerTarget, 1, 1024),
            ("MaxHostsPerList", d.MaxHostsPerList, 1, 100),
            ("MaxEndpointsPerSweep", d.MaxEndpointsPerSweep, 1, 1_000_000),
            ("SweepTimeoutMinutes", d.SweepTimeoutMinutes, 1, 24 * 60),
            ("MaxTargets", d.MaxTargets, 1, 100000),
            ("BatchSize", d.BatchSize, 1, 64),
            ("ScanConcurrency", d.ScanConcurrency, 1, 1024),
            ("ConnectTimeoutMs", d.ConnectTimeoutMs, 50, 60000),
            ("HandshakeTimeoutMs", d.HandshakeTimeoutMs, 50, 60000),
            ("MaxVersionsPerVaultCertificate", d.MaxVersionsPerVaultCertificate, 1, 1000),
        };
        OptionRanges.Add(s, ranges, errors);
    }
}
