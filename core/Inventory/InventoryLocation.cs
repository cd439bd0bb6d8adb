namespace Pki.Core.Inventory;

/// <summary>
/// One place a certificate was seen: an endpoint (<c>host:port</c>, with <c>/sni</c>) or a vault
/// (<c>vault-host/certificates/name/version</c>). <see cref="Position"/> is 0 for the leaf an endpoint
/// presented and 1.. for the chain certificates after it. Findings here are those of this deployment.
/// <see cref="Current"/> is false once the location was last seen presenting another certificate: it then
/// keeps its history (first and last seen) but no findings.
/// </summary>
public sealed record InventoryLocation(
    string Fingerprint,
    string Location,
    LocationKind Kind,
    int Position,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    string? ServerName,
    string? Address,
    string? SweepId,
    IReadOnlyList<string> ChainFingerprints,
    IReadOnlyList<Finding> Findings,
    bool Current = true);
