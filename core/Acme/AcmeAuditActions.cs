namespace Pki.Core.Acme;

/// <summary>The audit actions of ACME and its admin API (the issuance and revocation they lead to are the pipeline's own).</summary>
public static class AcmeAuditActions
{
    public const string AccountCreate = "acme-account-create";
    public const string AccountDeactivate = "acme-account-deactivate";
    public const string AccountKeyChange = "acme-account-key-change";
    public const string EabCreate = "acme-eab-create";
    public const string EabRevoke = "acme-eab-revoke";
    public const string RenewEarly = "acme-renew-early";
}
