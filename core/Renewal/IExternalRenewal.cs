using Pki.Core.Authority;

namespace Pki.Core.Renewal;

/// <summary>
/// A party other than the renewer that renews certificates (an ACME client following renewal information). The renewer
/// asks it about a due certificate that does not renew itself before it tells the owner, so that such a certificate
/// gets the same owner notice as one the renewer could not renew, at the moment its own renewer was expected to act.
/// </summary>
public interface IExternalRenewal
{
    /// <summary>Null when this party does not renew <paramref name="certificate"/>; else whether it was replaced, may still be, or is overdue.</summary>
    Task<ExternalRenewalDecision?> CheckAsync(CertificateRecord certificate, CancellationToken cancellationToken = default);
}
