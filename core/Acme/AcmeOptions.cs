namespace Pki.Core.Acme;

/// <summary>ACME (RFC 8555) settings, under <c>Pki:Acme</c>.</summary>
public sealed class AcmeOptions
{
    /// <summary>Whether newAccount needs an External Account Binding (directory <c>meta.externalAccountRequired</c>).</summary>
    public bool ExternalAccountRequired { get; set; } = true;

    /// <summary>Optional terms-of-service URL for the directory's meta.</summary>
    public string? TermsOfService { get; set; }

    /// <summary>The profile ACME certificates are issued under.</summary>
    public string Profile { get; set; } = Authority.ProfileNames.TlsServer;

    /// <summary>
    /// The 32-byte AES key (base64) that wraps EAB HMAC keys at rest: storage holds only the wrapped form. Without it EAB
    /// credentials cannot be created (in Azure, a Key Vault reference in the app settings).
    /// </summary>
    public string? EabKeyWrappingKey { get; set; }

    /// <summary>The port http-01 validation connects to (80 by RFC 8555; tests use a free one).</summary>
    public int Http01Port { get; set; } = 80;

    /// <summary>The port tls-alpn-01 validation connects to (443 by RFC 8737; tests use a free one).</summary>
    public int TlsAlpn01Port { get; set; } = 443;

    /// <summary>
    /// The resolver dns-01 validation asks for <c>_acme-challenge</c> TXT records, as <c>address</c> or
    /// <c>address:port</c> (<c>[v6]:port</c>); empty for the system's resolvers. A configured one must lie inside
    /// <c>Pki:Discovery:AllowedNetworks</c> like every other validation target.
    /// </summary>
    public string? DnsResolver { get; set; }

    /// <summary>The endpoint <see cref="DnsResolver"/> names (port 53 when it names none), or null for the system's resolvers.</summary>
    public System.Net.IPEndPoint? DnsResolverEndPoint()
    {
        var text = DnsResolver?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        // IPEndPoint parses "10.0.0.2" and "[fd00::2]" with port 0: the DNS port is meant.
        return System.Net.IPEndPoint.TryParse(text, out var endPoint)
            ? endPoint.Port == 0 ? new System.Net.IPEndPoint(endPoint.Address, DnsPort) : endPoint
            : throw new FormatException($"{PkiOptions.Section}:Acme:DnsResolver must be address or address:port; got '{text}'.");
    }

    private const int DnsPort = 53;

    /// <summary>
    /// Fixed answers for names validation would otherwise ask DNS for, as "name=address" (an /etc/hosts for the
    /// validator: split-horizon names, local tests). The network policy applies to these addresses as to resolved ones.
    /// </summary>
    public List<string> ValidationHosts { get; set; } = [];

    /// <summary>The address <see cref="ValidationHosts"/> gives <paramref name="name"/>, or null.</summary>
    public System.Net.IPAddress? ValidationHost(string name)
    {
        foreach (var entry in ValidationHosts)
        {
            var at = entry.IndexOf('=', StringComparison.Ordinal);
            if (at > 0 && string.Equals(entry[..at].Trim(), name, StringComparison.OrdinalIgnoreCase) && System.Net.IPAddress.TryParse(entry[(at + 1)..].Trim(), out var address))
            {
                return address;
            }
        }

        return null;
    }

    /// <summary>Tries of a challenge before it is invalid; between tries the wait doubles from <see cref="ValidationRetrySeconds"/>.</summary>
    public int ValidationAttempts { get; set; } = 3;

    public int ValidationRetrySeconds { get; set; } = 5;

    /// <summary>Each validation connection's limit, connect and read.</summary>
    public int ValidationTimeoutSeconds { get; set; } = 10;

    /// <summary>How long a nonce stays usable.</summary>
    public int NonceLifetimeMinutes { get; set; } = 60;

    /// <summary>How long an order and its authorizations stay usable.</summary>
    public int OrderLifetimeHours { get; set; } = 24 * 7;

    /// <summary>The most identifiers one order may name.</summary>
    public int MaxIdentifiers { get; set; } = 100;

    public void Validate(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        const string p = PkiOptions.Section + ":Acme:";
        if (!string.IsNullOrEmpty(EabKeyWrappingKey) && !EabKeyWrap.TryParseKey(EabKeyWrappingKey, out _))
        {
            errors.Add($"{p}EabKeyWrappingKey must be 32 bytes in base64 (openssl rand -base64 32).");
        }

        foreach (var entry in ValidationHosts)
        {
            var at = entry.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || !System.Net.IPAddress.TryParse(entry[(at + 1)..].Trim(), out _))
            {
                errors.Add($"{p}ValidationHosts entries must be name=address; got '{entry}'.");
            }
        }

        if (Http01Port is < 1 or > 65535)
        {
            errors.Add($"{p}Http01Port must be a TCP port (1 to 65535); got {Http01Port}.");
        }

        if (TlsAlpn01Port is < 1 or > 65535)
        {
            errors.Add($"{p}TlsAlpn01Port must be a TCP port (1 to 65535); got {TlsAlpn01Port}.");
        }

        try
        {
            DnsResolverEndPoint();
        }
        catch (FormatException e)
        {
            errors.Add(e.Message + " (for example 10.0.0.2 or 10.0.0.2:53; empty for the system's resolvers)");
        }

        if (ValidationAttempts is < 1 or > 10 || ValidationRetrySeconds is < 1 or > 3600 || ValidationTimeoutSeconds is < 1 or > 60)
        {
            errors.Add($"{p}ValidationAttempts must be 1 to 10, ValidationRetrySeconds 1 to 3600 and ValidationTimeoutSeconds 1 to 60.");
        }

        if (NonceLifetimeMinutes is < 1 or > 24 * 60 || OrderLifetimeHours is < 1 or > 24 * 30 || MaxIdentifiers is < 1 or > 100)
        {
            errors.Add($"{p}NonceLifetimeMinutes must be 1 to 1440, OrderLifetimeHours 1 to 720 and MaxIdentifiers 1 to 100.");
        }

        if (TermsOfService is { Length: > 0 } terms && !Uri.TryCreate(terms, UriKind.Absolute, out _))
        {
            errors.Add($"{p}TermsOfService must be an absolute URL; got '{terms}'.");
        }
    }

    /// <summary>A configured <see cref="DnsResolver"/> must lie inside <c>Pki:Discovery:AllowedNetworks</c>: validation connects to no range the operator did not allow.</summary>
    public void ValidateResolver(Discovery.DiscoveryOptions discovery, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(discovery);
        ArgumentNullException.ThrowIfNull(errors);
        System.Net.IPEndPoint? resolver;
        try
        {
            resolver = DnsResolverEndPoint();
        }
        catch (FormatException)
        {
            return; // reported by Validate
        }

        if (resolver is not null && discovery.AllowedNetworks.All(n => !Discovery.NetworkPolicy.TryParseNetwork(n, out var network) || !network.Contains(IpAddresses.Canonical(resolver.Address))))
        {
            errors.Add($"{PkiOptions.Section}:Acme:DnsResolver {resolver} lies outside {PkiOptions.Section}:Discovery:AllowedNetworks; add its address there or leave the setting empty for the system's resolvers.");
        }
    }
}
