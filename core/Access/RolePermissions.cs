namespace Pki.Core.Access;

/// <summary>The one table from roles to permissions.</summary>
public static class RolePermissions
{
    private static readonly IReadOnlyDictionary<string, IReadOnlySet<Permission>> Table = new Dictionary<string, IReadOnlySet<Permission>>(StringComparer.Ordinal)
    {
        [Roles.Requester] = new HashSet<Permission>
        {
            Permission.RequestCertificates, Permission.ReadCertificates, Permission.RevokeCertificates, Permission.ReadInventory,
        },
        [Roles.Approver] = new HashSet<Permission>
        {
            Permission.ApproveRequests, Permission.ReadCertificates, Permission.ReadInventory,
        },
        [Roles.Auditor] = new HashSet<Permission>
        {
            Permission.ReadCertificates, Permission.ReadInventory, Permission.ReadDiscovery, Permission.ReadAudit,
            Permission.ReadReports, Permission.ReadAllTeams,
        },
        [Roles.Admin] = Enum.GetValues<Permission>().ToHashSet(),
    };

    public static IReadOnlySet<Permission> For(IEnumerable<string> roles)
    {
        var permissions = new HashSet<Permission>();
        foreach (var role in roles)
        {
            if (Table.TryGetValue(role, out var granted))
            {
                permissions.UnionWith(granted);
            }
        }

        return permissions;
    }
}
