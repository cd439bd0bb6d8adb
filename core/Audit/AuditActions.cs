namespace Pki.Core.Audit;

/// <summary>What an audit record says was done; the names appear in records and in GET /api/audit.</summary>
public static class AuditActions
{
    /// <summary>A certificate request reached policy (recorded when policy refuses it; an accepted one is recorded as <see cref="Issue"/>).</summary>
    public const string Request = "request";

    /// <summary>A known caller was refused an endpoint its roles do not allow (HTTP 403 missing-permission).</summary>
    public const string Access = "access";

    public const string Approve = "approve";
    public const string Reject = "reject";

    /// <summary>A pending request passed its deadline undecided.</summary>
    public const string Expire = "expire";

    /// <summary>A certificate was signed and stored (or signed and not stored: outcome failed).</summary>
    public const string Issue = "issue";

    public const string Revoke = "revoke";

    /// <summary>A successor was issued for a due certificate.</summary>
    public const string Renew = "renew";

    /// <summary>An admin asked for a certificate to be renewed now (POST /api/certificates/{serial}/renew-early); the renewal itself is recorded as <see cref="Renew"/>.</summary>
    public const string RenewEarly = "renew-early";

    /// <summary>A CA's key was created (or taken over) and its CA recorded.</summary>
    public const string KeyCreate = "key-create";

    public const string TargetAdd = "target-add";
    public const string TargetRemove = "target-remove";
    public const string SweepStart = "sweep-start";

    /// <summary>A certificate was merged into its Key Vault target (or its Key Vault operation was cancelled: outcome failed).</summary>
    public const string Deliver = "deliver";

    /// <summary>A certificate's delivery target was set or changed.</summary>
    public const string DeliveryTargetSet = "delivery-target-set";

    /// <summary>An inventory item's owner and team were set by hand.</summary>
    public const string OwnerSet = "owner-set";

    /// <summary>A dashboard session was opened with an API key (the caller is the key's identity).</summary>
    public const string SignIn = "sign-in";
}
