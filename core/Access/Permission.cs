namespace Pki.Core.Access;

/// <summary>What an endpoint needs of its caller; a role is a set of these. The name appears in 403 problems.</summary>
public enum Permission
{
    /// <summary>Request or renew certificates (within the team's name grants).</summary>
    RequestCertificates,

    /// <summary>Read certificates and requests (the team's own unless the caller reads every team).</summary>
    ReadCertificates,

    /// <summary>Revoke certificates (the team's own unless the caller manages every team).</summary>
    RevokeCertificates,

    /// <summary>Approve or reject pending requests made by someone else.</summary>
    ApproveRequests,

    /// <summary>Read the inventory (the team's own unless the caller reads every team).</summary>
    ReadInventory,

    /// <summary>Change owners in the inventory.</summary>
    ManageInventory,

    /// <summary>Read discovery targets and sweeps.</summary>
    ReadDiscovery,

    /// <summary>Add and remove discovery targets, start sweeps.</summary>
    ManageDiscovery,

    /// <summary>Read and verify the audit trail.</summary>
    ReadAudit,

    /// <summary>Read ownership and compliance reports.</summary>
    ReadReports,

    /// <summary>Operate the CAs: publish CRLs on demand.</summary>
    OperateAuthorities,

    /// <summary>Read every team's data, not only the caller's own.</summary>
    ReadAllTeams,

    /// <summary>Change every team's data, not only the caller's own.</summary>
    ManageAllTeams,
}
