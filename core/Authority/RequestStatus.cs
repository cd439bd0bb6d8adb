namespace Pki.Core.Authority;

public enum RequestStatus
{
    /// <summary>Accepted by policy and being issued; holds its idempotency key.</summary>
    Pending,

    /// <summary>The certificate was issued and recorded.</summary>
    Issued,

    /// <summary>Issuance failed after policy accepted the request (the key store or storage failed).</summary>
    Failed,
}
