using Pki.Core.Authority;

namespace Pki.Core.Renewal;

/// <summary>
/// "Renew early" for a certificate that a party other than the renewer renews (an ACME client): that party is asked to
/// renew it now, instead of the renewer issuing a successor its client would never install.
/// </summary>
public interface IExternalEarlyRenewal
{
    /// <summary>Null when this party does not renew <paramref name="certificate"/>; else what it was asked and until when it should act.</summary>
    Task<ExternalEarlyRenewal?> TryRenewEarlyAsync(CertificateRecord certificate, CancellationToken cancellationToken = default);
}
