namespace Pki.Core.Access;

/// <summary>
/// Who is calling: an authenticated person or machine with a team and roles, or the service itself
/// (timers and queue handlers act as <see cref="System"/>).
/// </summary>
public sealed record Caller
{
    public Caller(string id, string? team, IEnumerable<string> roles, string authenticationMethod)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
        Team = Teams.Normalize(team);
        Roles = roles.ToHashSet(StringComparer.Ordinal);
        Permissions = RolePermissions.For(Roles);
        AuthenticationMethod = authenticationMethod;
    }

    /// <summary>The service acting on its own (a timer, a queue message).</summary>
    public static Caller System { get; } = new("system", null, [Access.Roles.Admin], "system");

    /// <summary>A stable identifier: the Entra object id, the API key's identity, "system".</summary>
    public string Id { get; }

    /// <summary>Lower case, as team names are compared and stored.</summary>
    public string? Team { get; }

    public IReadOnlySet<string> Roles { get; }

    public IReadOnlySet<Permission> Permissions { get; }

    /// <summary>How the caller proved who it is: api-key, entra, app-service, function-key, system.</summary>
    public string AuthenticationMethod { get; }

    public bool Has(Permission permission) => Permissions.Contains(permission);

    /// <summary>Whether the caller may read what belongs to <paramref name="team"/>.</summary>
    public bool CanRead(string? team) => Has(Permission.ReadAllTeams) || (Team is not null && string.Equals(team, Team, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the caller may change what belongs to <paramref name="team"/>.</summary>
    public bool CanManage(string? team) => Has(Permission.ManageAllTeams) || (Team is not null && string.Equals(team, Team, StringComparison.OrdinalIgnoreCase));
}
