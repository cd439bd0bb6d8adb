namespace Pki.Core.Storage;

/// <summary>Table names, before the configured prefix.</summary>
public static class TableNames
{
    public const string Authorities = "authorities";
    public const string Certificates = "certificates";
    public const string ExpiryIndex = "expiryindex";
    public const string Requests = "requests";
    public const string Revocations = "revocations";
    public const string OcspResponses = "ocspresponses";
    public const string OcspRefresh = "ocsprefresh";

    /// <summary>The blob container of published CRLs, before the (lowercased) prefix.</summary>
    public const string CrlContainer = "crls";
}
