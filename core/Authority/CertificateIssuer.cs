using Microsoft.Extensions.Logging;
using Pki.Core.Authority.Policy;

namespace Pki.Core.Authority;

/// <summary>
/// The CA proper: it signs only what the registration authority approved.
/// Invariant: no certificate is signed unless an "issuing" record for its serial was stored first,
/// so every signature the key ever made is accounted for in storage.
/// </summary>
public sealed class CertificateIssuer(
    AuthorityDirectory authorities,
    CertificateFactory factory,
    ICertificateStore store,
    TimeProvider time,
    ILogger<CertificateIssuer> logger)
{
    /// <summary>Backdating absorbs clock skew between us and relying parties.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    private const int SerialAttempts = 5;

    public async Task<CertificateRecord> IssueAsync(IssuanceRequest request, string requestId, CancellationToken cancellationToken = default)
    {
        var issuer = await authorities.GetIssuingAsync(cancellationToken).ConfigureAwait(false);
        var signer = await authorities.GetSignerAsync(issuer, cancellationToken).ConfigureAwait(false);

        var now = CaBootstrapper.Truncate(time.GetUtcNow());
        var notBefore = now - Backdate;
        var notAfter = notBefore.AddDays(LifetimeRule.EffectiveDays(request));
        if (notAfter > issuer.NotAfter)
        {
            notAfter = issuer.NotAfter;
        }

        var csr = request.Csr;
        var commonName = csr.CommonName ?? csr.DnsNames.FirstOrDefault();
        for (var attempt = 1; attempt <= SerialAttempts; attempt++)
        {
            var serial = SerialNumbers.New();
            var template = new LeafTemplate(serial, request.Profile, csr.PublicKey, commonName, csr.DnsNames, csr.IpAddresses, notBefore, notAfter);
            var record = new CertificateRecord(
                SerialNumbers.ToHex(serial), issuer.Id, CertificateStatus.Issuing, request.Profile.Name, request.Owner!,
                commonName is null ? string.Empty : "CN=" + commonName, notBefore, notAfter, requestId, now);

            if (!await store.TryReserveAsync(record, cancellationToken).ConfigureAwait(false))
            {
                logger.LogWarning("Serial {SerialNumber} collided on attempt {Attempt}; drawing another", record.SerialNumber, attempt);
                continue;
            }

            logger.LogInformation("Signing certificate {SerialNumber} for request {RequestId} with CA {CaId}, profile {Profile}", record.SerialNumber, requestId, issuer.Id, request.Profile.Name);
            var certificate = factory.CreateLeaf(issuer, signer, template);
            logger.LogInformation("Signed certificate {SerialNumber} for request {RequestId} with CA {CaId}", record.SerialNumber, requestId, issuer.Id);

            var issued = record with { Status = CertificateStatus.Issued, CertificateDer = certificate.GetEncoded(), IssuedAt = time.GetUtcNow() };
            await store.MarkIssuedAsync(issued, cancellationToken).ConfigureAwait(false);
            return issued;
        }

        throw new InvalidOperationException($"No free serial after {SerialAttempts} draws; the CSPRNG or the store is broken.");
    }
}
