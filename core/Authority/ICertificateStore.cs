namespace Pki.Core.Authority;

/// <summary>The narrow store the CA writes through.</summary>
public interface ICertificateStore
{
    /// <summary>Inserts an "issuing" record; false when the serial is taken (draw another).</summary>
    Task<bool> TryReserveAsync(CertificateRecord record, CancellationToken cancellationToken = default);

    /// <summary>Writes the expiry index entry, then marks the record issued with its DER.</summary>
    Task MarkIssuedAsync(CertificateRecord record, CancellationToken cancellationToken = default);

    Task<CertificateRecord?> GetAsync(string serialNumber, CancellationToken cancellationToken = default);
}
