namespace Pki.Core.Authority;

/// <summary>The renewal link as the API shows it.</summary>
public static class CertificateLinks
{
    /// <summary>
    /// The successor a renewal linked, once it is a certificate (issued, or revoked since). The renewer claims the link
    /// with the successor's reserved serial before signing, so while that renewal runs, or when its signing failed, the
    /// link names a serial that is no certificate: it is not shown, as a reader could not look it up.
    /// </summary>
    public static async Task<string?> IssuedSuccessorAsync(ICertificateStore store, CertificateRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(record);
        if (record.SuccessorSerial is not { } serial)
        {
            return null;
        }

        var successor = await store.GetAsync(serial, cancellationToken).ConfigureAwait(false);
        return successor is { Status: CertificateStatus.Issued or CertificateStatus.Revoked, CertificateDer: not null } ? serial : null;
    }
}
