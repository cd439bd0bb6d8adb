using Pki.Core.Authority;

namespace Pki.Core.Renewal;

/// <summary>A due certificate its owner must renew by hand, and why.</summary>
public sealed record RenewalNotice(CertificateRecord Certificate, RenewalNoticeReason Reason, string Detail);
