namespace Pki.Core.Discovery.Scanning;

/// <summary>One TLS endpoint to scan: a host name or IP literal, a port, and the SNI name to send (none when null).</summary>
public sealed record ScannedEndpoint(string Host, int Port, string? ServerName)
{
    /// <summary>
    /// The location key an inventory uses for this endpoint: <c>host:port</c> (an IPv6 address in brackets, as in
    /// a URL), with <c>/sni</c> when an SNI name differs from the host.
    /// </summary>
    public string Location
    {
        get
        {
            var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
            return ServerName is null || string.Equals(ServerName, Host, StringComparison.OrdinalIgnoreCase)
                ? $"{host}:{Port}"
                : $"{host}:{Port}/{ServerName}";
        }
    }
}
