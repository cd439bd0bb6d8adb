namespace Pki.Core.Authority;

/// <summary>Which names certificates may carry. Bound from <c>Pki:Names</c>.</summary>
public sealed class NamePolicyOptions
{
    /// <summary>DNS suffixes whose names (and subdomains) may be requested. Replaced, not merged, by configuration.</summary>
    public List<string> AllowedDnsSuffixes { get; set; } = [];

    /// <summary>CIDR ranges whose addresses may appear as IP SANs.</summary>
    public List<string> AllowedIpRanges { get; set; } = [];

    public static readonly string[] DefaultDnsSuffixes = ["internal", "test"];

    public static readonly string[] DefaultIpRanges = ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];
}
