namespace Pki.Core.Access;

/// <summary>Validation of Microsoft Entra ID access tokens; enabled when <see cref="TenantId"/> is set.</summary>
public sealed class EntraOptions
{
    public const string DefaultInstance = "https://login.microsoftonline.com/";

    public string? TenantId { get; set; }

    /// <summary>Accepted <c>aud</c> values: the API's application id URI and/or client id.</summary>
    public List<string> Audiences { get; set; } = [];

    public string Instance { get; set; } = DefaultInstance;

    /// <summary>The OpenID configuration document; by default the tenant's v2.0 document under <see cref="Instance"/>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>Maps group object ids in the token's <c>groups</c> claim to team names; the first match is the caller's team.</summary>
    public Dictionary<string, string> GroupTeams { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A claim that carries the team name directly (an optional claim or a custom one); tried before groups.</summary>
    public string? TeamClaim { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(TenantId);

    /// <summary>
    /// A caller's team from its claims, for tokens and App Service principals alike: the <see cref="TeamClaim"/> when
    /// it names one, else the first of <paramref name="groups"/> that <see cref="GroupTeams"/> maps.
    /// </summary>
    /// <param name="claim">The first value of a claim type, or null.</param>
    /// <param name="groups">The caller's group object ids.</param>
    public string? TeamOf(Func<string, string?> claim, IEnumerable<string> groups)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(groups);
        if (TeamClaim is { Length: > 0 } teamClaim && claim(teamClaim) is { Length: > 0 } named)
        {
            return named;
        }

        return groups.Select(g => GroupTeams.GetValueOrDefault(g)).FirstOrDefault(t => t is not null);
    }

    public string ResolvedMetadataAddress => MetadataAddress is { Length: > 0 } address
        ? address
        : $"{Instance.TrimEnd('/')}/{TenantId}/v2.0/.well-known/openid-configuration";
}
