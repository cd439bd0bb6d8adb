namespace Pki.Core.Discovery.Scanning;

/// <summary>One TLS endpoint to scan: a host name or IP literal, a port, and the SNI name to send (none when null).</summary>
public sealed record ScannedEndpoint(string Host, int Port, string? ServerName)
{
    /// <summary>The location key an inventory uses for this endpoint: <c>host:port</c>, with <c>/sni</c> when an SNI name differs from the host.</summary>
    public string Location => ServerName is null || string.Equals(ServerName, Host, StringComparison.OrdinalIgnoreCase)
        ? $"{Host}:{Port}"
        : $"{Host}:{Port}/{ServerName}";
}
