using Pki.Core.Authority.Approvals;

namespace Pki.Core.Authority;

/// <summary>
/// What a submitted certificate request became: a certificate issued now, or a request held for approval; where it
/// can be read (Location), and whether an earlier request with the same Idempotency-Key made it.
/// </summary>
public sealed record SubmitOutcome(CertificateView? Certificate, ApprovalRequestView? HeldRequest, bool Replayed)
{
    public bool Issued => Certificate is not null;

    /// <summary>The answer's body: the certificate, or the held request.</summary>
    public object Body => (object?)Certificate ?? HeldRequest!;

    /// <summary>The path of the certificate or of the held request.</summary>
    public string Location => Certificate is { } certificate
        ? $"/{Routes.Prefix}/{Routes.Certificates}/{certificate.SerialNumber}"
        : $"/{Routes.Prefix}/{Routes.Requests}/{HeldRequest!.RequestId}";
}
