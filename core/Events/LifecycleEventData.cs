namespace Pki.Core.Events;

/// <summary>
/// The data of a lifecycle event: what a consumer needs to act without calling back. Fields that do not apply to
/// an event type are left out of the JSON.
/// </summary>
public sealed record LifecycleEventData
{
    /// <summary>Hex, as in certificate URLs; absent for a discovered certificate of another CA.</summary>
    public string? SerialNumber { get; init; }

    /// <summary>SHA-256 of the DER certificate, lowercase hex: the inventory's key.</summary>
    public string? Fingerprint { get; init; }

    public string? Subject { get; init; }

    public IReadOnlyList<string> DnsNames { get; init; } = [];

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? NotAfter { get; init; }

    public string? Owner { get; init; }

    public string? Team { get; init; }

    /// <summary>The CA of ours that issued it; absent for a certificate we did not issue.</summary>
    public string? CaId { get; init; }

    public string? Profile { get; init; }

    /// <summary>Revoked: the RFC 5280 reason name.</summary>
    public string? Reason { get; init; }

    /// <summary>Renewed: the serial of the certificate this one succeeds.</summary>
    public string? PredecessorSerialNumber { get; init; }

    /// <summary>Renewed: where the successor was delivered (a Key Vault certificate's URL without version), when it has a target.</summary>
    public string? DeliveryTarget { get; init; }

    /// <summary>Expiring: the threshold crossed, in days before notAfter.</summary>
    public int? DaysLeft { get; init; }

    /// <summary>Discovered: where it was found (host:port, or a vault certificate's URL).</summary>
    public string? Location { get; init; }
}
