namespace Pki.Core.Acme;

/// <summary>The ACME routes (under <see cref="Routes.Prefix"/>), named once for the functions and for the URLs the server writes.</summary>
public static class AcmeRoutes
{
    public const string Directory = "acme/directory";
    public const string NewNonce = "acme/new-nonce";
    public const string NewAccount = "acme/new-account";
    public const string Account = "acme/account/{id}";
    public const string NewOrder = "acme/new-order";
    public const string Order = "acme/order/{id}";
    public const string Finalize = "acme/order/{id}/finalize";
    public const string Authorization = "acme/authz/{id}";
    public const string Challenge = "acme/challenge/{id}/{type}";
    public const string Certificate = "acme/cert/{id}";

    /// <summary>The alternate chain of <see cref="Certificate"/> (RFC 8555 §7.4.2): the same path with the root appended.</summary>
    public const string CertificateWithRoot = "acme/cert/{id}/with-root";
    public const string RevokeCert = "acme/revoke-cert";
    public const string KeyChange = "acme/key-change";

    /// <summary>RFC 9773: <c>GET {renewalInfo}/{certID}</c>, unauthenticated.</summary>
    public const string RenewalInfoBase = "acme/renewal-info";
    public const string RenewalInfo = RenewalInfoBase + "/{certId}";

    /// <summary>Admin API (not ACME): External Account Binding credentials.</summary>
    public const string EabCredentials = "acme/eab";
    public const string EabCredential = "acme/eab/{kid}";

    /// <summary>Admin API (not ACME): moves an ACME certificate's renewal window to now.</summary>
    public const string RenewEarly = "acme/certificates/{serialNumber}/renew-early";

    /// <summary>Admin API (not ACME): every ACME certificate an issuing CA issued, or a team's, renews early.</summary>
    public const string RenewAuthorityEarly = "acme/authorities/{id}/renew-early";
    public const string RenewTeamEarly = "acme/teams/{team}/renew-early";
}
