namespace Pki.Core.Storage;

/// <summary>The tables of ACME (RFC 8555) state, before the configured prefix.</summary>
public static class AcmeTableNames
{
    /// <summary>Used nonces by the hour they were issued and a shard (swept once expired), and the key nonces are MACed with.</summary>
    public const string Nonces = "acmenonces";

    /// <summary>Accounts by id, and the index from key thumbprint to account id.</summary>
    public const string Accounts = "acmeaccounts";

    /// <summary>External Account Binding credentials by key id, and the index of a team's credentials.</summary>
    public const string Eab = "acmeeab";

    public const string Orders = "acmeorders";
    public const string Authorizations = "acmeauthz";

    /// <summary>Which account and order each ACME-issued certificate came from, by serial number.</summary>
    public const string Certificates = "acmecerts";
}
