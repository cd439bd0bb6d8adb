namespace Pki.Core.Access;

/// <summary>The roles a caller can hold; each grants the permissions <see cref="RolePermissions"/> lists.</summary>
public static class Roles
{
    /// <summary>May request certificates for the name spaces granted to their team, and revoke and read their team's.</summary>
    public const string Requester = "requester";

    /// <summary>May approve or reject pending requests of others.</summary>
    public const string Approver = "approver";

    /// <summary>Reads everything, changes nothing.</summary>
    public const string Auditor = "auditor";

    /// <summary>May do everything, for every team.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Requester, Approver, Auditor, Admin };
}
