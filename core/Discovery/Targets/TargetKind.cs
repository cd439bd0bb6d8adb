namespace Pki.Core.Discovery.Targets;

/// <summary>What a discovery target names.</summary>
public enum TargetKind
{
    /// <summary>One host and port, with an optional SNI name.</summary>
    Endpoint,

    /// <summary>A list of host names, each scanned on every listed port with its own name as SNI.</summary>
    Hosts,

    /// <summary>Every address of a CIDR range on every listed port, without SNI.</summary>
    Cidr,

    /// <summary>An Azure Key Vault, by vault URI.</summary>
    KeyVault,
}
