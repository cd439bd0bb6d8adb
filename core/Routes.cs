namespace Pki.Core;

/// <summary>
/// HTTP routes, named once. Function attributes use these templates, and URLs written into
/// certificates (CRL distribution points, AIA) are built from them, so the two cannot disagree.
/// </summary>
public static class Routes
{
    /// <summary>Must equal extensions.http.routePrefix in host.json (a test holds them equal).</summary>
    public const string Prefix = "api";

    public const string Health = "health";

    /// <summary>The dashboard's health strip: CA keys, CRLs, the OCSP self-check, the audit chain's last verification.</summary>
    public const string HealthDetails = Health + "/details";
    public const string Authorities = "ca";
    public const string AuthorityCertificate = "ca/{id}/certificate";
    public const string AuthorityCrl = "ca/{id}/crl";

    /// <summary>The complete CRL, or with a last segment "delta" or a shard number, that CRL.</summary>
    public const string AuthorityCrlPart = AuthorityCrl + "/{part?}";

    public const string DeltaCrlSegment = "delta";
    public const string Certificates = "certificates";
    public const string Certificate = "certificates/{serialNumber}";
    public const string RevokeCertificate = Certificate + "/revoke";

    /// <summary>An admin's "renew early" for any certificate issued here (ACME ones get their renewal window opened).</summary>
    public const string RenewCertificateEarly = Certificate + "/renew-early";
    public const string Ocsp = "ocsp";

    /// <summary>Requests held for approval (profiles that require it); submitted through <see cref="Certificates"/>.</summary>
    public const string Requests = "requests";
    public const string Request = Requests + "/{requestId}";
    public const string ApproveRequest = Request + "/approve";
    public const string RejectRequest = Request + "/reject";

    /// <summary>RFC 6960 A.1 GET: the base64 request, URL-encoded; a catch-all because base64 may hold '/'.</summary>
    public const string OcspGet = Ocsp + "/{*request}";

    public const string DiscoveryTargets = "discovery/targets";
    public const string DiscoveryTarget = DiscoveryTargets + "/{id}";
    public const string DiscoverySweeps = "discovery/sweeps";
    public const string DiscoverySweep = DiscoverySweeps + "/{id}";
    public const string Inventory = "inventory";
    public const string InventoryItem = Inventory + "/{fingerprint}";
    public const string InventoryOwner = InventoryItem + "/owner";
    public const string Audit = "audit";
    public const string AuditVerify = Audit + "/verify";
    /// <summary>Key Vault enrollment: the vault makes the key and CSR, we sign, it merges (POST).</summary>
    public const string KeyVaultCertificates = "delivery/keyvault";

    /// <summary>A certificate's delivery target and the Key Vault operation in flight for it (GET, PUT).</summary>
    public const string CertificateDelivery = Certificate + "/delivery";
    public const string OwnershipReport = "reports/ownership";
    public const string ComplianceReport = "reports/compliance";

    /// <summary>The inventory's counts by the dashboard's tiles, in one pass (literal segment: wins over {fingerprint}).</summary>
    public const string InventorySummary = Inventory + "/summary";

    /// <summary>The dashboard's session: POST signs in with an API key, GET says who is signed in, DELETE signs out.</summary>
    public const string Session = "session";

    /// <summary>The OpenAPI 3.1 document of every HTTP route.</summary>
    public const string OpenApi = "openapi.json";

    /// <summary>The dashboard's page and assets; no asset means its page.</summary>
    public const string Dashboard = "dashboard/{*asset}";
}
