using Pki.Core.Authority;

namespace Pki.Core.Revocation;

/// <summary>Told of each revocation once it is recorded and published.</summary>
public interface IRevocationObserver
{
    Task OnRevokedAsync(CertificateRecord certificate, CancellationToken cancellationToken = default);
}
