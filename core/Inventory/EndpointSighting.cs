namespace Pki.Core.Inventory;

/// <summary>
/// A chain a TLS endpoint presented, as the inventory records it: the location key (<c>host:port</c>, with <c>/sni</c>
/// when the SNI name differs), the host and SNI name the scan used, the address that answered, the certificates exactly
/// as sent (DER, leaf first) and the deprecated protocol versions the endpoint accepts ("Tls11", "Tls10"; empty or null
/// when none or not probed). Discovery's scanner produces it; the inventory needs nothing else of the scan.
/// </summary>
public sealed record EndpointSighting(
    string Location,
    string Host,
    string? ServerName,
    string? Address,
    IReadOnlyList<byte[]> Chain,
    IReadOnlyList<string>? LegacyProtocols = null);
