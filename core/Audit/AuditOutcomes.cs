namespace Pki.Core.Audit;

/// <summary>How an audited action ended.</summary>
public static class AuditOutcomes
{
    public const string Succeeded = "succeeded";

    /// <summary>Refused for the caller's mistake or by policy; the record names the problem type.</summary>
    public const string Refused = "refused";

    /// <summary>The service failed part way (e.g. signed but could not store the certificate).</summary>
    public const string Failed = "failed";
}
