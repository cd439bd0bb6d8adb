namespace Pki.Core.Access;

/// <summary>Who may call the API and as what: the <c>Pki:Access</c> section.</summary>
public sealed class AccessOptions
{
    /// <summary>Local and machine callers: header <c>X-API-Key</c>, by a name of the operator's choosing.</summary>
    public Dictionary<string, KeyCredentialOptions> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Machine callers presenting a function key (header <c>x-functions-key</c>), by name.</summary>
    public Dictionary<string, KeyCredentialOptions> FunctionKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Microsoft Entra ID bearer tokens; off unless a tenant is set.</summary>
    public EntraOptions Entra { get; set; } = new();

    /// <summary>
    /// Accept the App Service authentication principal (<c>X-MS-CLIENT-PRINCIPAL</c>). Only true where App Service
    /// authentication fronts the app: the platform then strips that header from callers, so it cannot be forged.
    /// </summary>
    public bool TrustAppServicePrincipal { get; set; }

    /// <summary>How long a dashboard session opened with an API key lasts (minutes); then the dashboard asks to sign in again.</summary>
    public int SessionMinutes { get; set; } = 30;

    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>
    /// How many proxies in front of the app append the address they saw to <c>X-Forwarded-For</c> (0, the default:
    /// none, the connection's own address is the client's). With N, the client is the Nth address from the right; what
    /// a caller wrote further left is its own claim and never believed. Only the failed-sign-in limit reads it.
    /// </summary>
    public int ForwardedForHops { get; set; }

    /// <summary>What each team may request: name patterns (<c>*.payments.example.com</c>, an exact name, an IP).</summary>
    public Dictionary<string, TeamOptions> Teams { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
