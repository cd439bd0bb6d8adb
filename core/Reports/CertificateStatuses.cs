namespace Pki.Core.Reports;

/// <summary>The status column's values.</summary>
public static class CertificateStatuses
{
    public const string Revoked = "revoked";
    public const string Expired = "expired";
    public const string NotYetValid = "not-yet-valid";
    public const string Valid = "valid";
}
