namespace Pki.Core.Storage;

/// <summary>Table names, before the configured prefix.</summary>
public static class TableNames
{
    public const string Authorities = "authorities";
    public const string Certificates = "certificates";
    public const string ExpiryIndex = "expiryindex";
    public const string Requests = "requests";
}
