namespace Pki.Core.Authority.Approvals;

/// <summary>The certificate an approval issued, and whether this call issued it or found it issued by an earlier approval.</summary>
public sealed record ApprovalOutcome(CertificateView Certificate, bool Replayed);
