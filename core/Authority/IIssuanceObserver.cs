namespace Pki.Core.Authority;

/// <summary>Told of each certificate once it is signed and stored.</summary>
public interface IIssuanceObserver
{
    Task OnIssuedAsync(CertificateRecord certificate, CancellationToken cancellationToken = default);
}
