using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Authority;
using Pki.Core.Signing;
using X509Certificate = Org.BouncyCastle.X509.X509Certificate;

namespace Pki.Core.Revocation.Ocsp;

/// <summary>
/// The delegated responder of each issuing CA: a key in the key store (label "{caId}-ocsp") and a
/// short-lived certificate that is replaced before it expires. Responder certificates are signed through
/// <see cref="RecordedIssuance"/>, like any other certificate the CA signs.
/// </summary>
public sealed class ResponderCertificates(
    CaKeys keys,
    AuthorityDirectory authorities,
    IResponderStore store,
    RecordedIssuance recorded,
    CertificateFactory factory,
    TimeProvider time,
    IOptions<PkiOptions> options,
    ILogger<ResponderCertificates> logger)
{
    public const string Profile = "ocsp-responder";
    public const string ServiceOwner = "pki-service";
    public const KeyAlgorithm ResponderKeyAlgorithm = KeyAlgorithm.EcP256;

    private readonly RevocationOptions _options = options.Value.Revocation;
    private readonly ConcurrentDictionary<string, Responder> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<Responder> GetAsync(CertificateAuthority ca, CancellationToken cancellationToken = default)
    {
        if (_cache.TryGetValue(ca.Id, out var cached) && !IsDue(cached.NotAfter))
        {
            return cached;
        }

        var gate = _locks.GetOrAdd(ca.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cache.TryGetValue(ca.Id, out cached) && !IsDue(cached.NotAfter))
            {
                return cached;
            }

            var record = await store.GetAsync(ca.Id, cancellationToken).ConfigureAwait(false);

            // One replacement per call: near the CA's own end a new certificate is capped at it and stays "due".
            for (var attempt = 0; attempt < 3 && (record is null || (IsDue(record.NotAfter) && record.NotAfter < ca.NotAfter)); attempt++)
            {
                var next = await IssueAsync(ca, CancellationToken.None).ConfigureAwait(false);
                record = await store.TryReplaceAsync(next, record, CancellationToken.None).ConfigureAwait(false)
                    ? next
                    : await store.GetAsync(ca.Id, cancellationToken).ConfigureAwait(false);
            }

            if (record is null)
            {
                throw new InvalidOperationException($"No OCSP responder could be stored for CA {ca.Id}.");
            }

            var signer = await keys.CreateSignerAsync(record.KeyUri, ResponderKeyAlgorithm.DefaultScheme(), cancellationToken).ConfigureAwait(false);
            var responder = new Responder(new X509Certificate(record.CertificateDer), signer, record.NotAfter);
            _cache[ca.Id] = responder;
            return responder;
        }
        finally
        {
            gate.Release();
        }
    }

    private bool IsDue(DateTimeOffset notAfter) => notAfter - time.GetUtcNow() <= TimeSpan.FromHours(_options.ResponderRenewBeforeHours);

    private async Task<ResponderRecord> IssueAsync(CertificateAuthority ca, CancellationToken cancellationToken)
    {
        var key = await keys.EnsureAsync(ca.Id + "-ocsp", ResponderKeyAlgorithm, cancellationToken).ConfigureAwait(false);
        var caSigner = await authorities.GetSignerAsync(ca, cancellationToken).ConfigureAwait(false);
        var now = CaBootstrapper.Truncate(time.GetUtcNow());
        var notBefore = now - CertificateIssuer.Backdate;
        var notAfter = now.AddHours(_options.ResponderValidityHours);
        if (notAfter > ca.NotAfter)
        {
            notAfter = ca.NotAfter;
        }

        var reserved = await recorded.ReserveAsync(
            new ReservationDraft(ca.Id, Profile, ServiceOwner, "CN=OCSP Responder for " + ca.Id, notBefore, notAfter, "responder-" + ca.Id, now, Journaled: false),
            cancellationToken).ConfigureAwait(false);
        X509Certificate certificate;
        try
        {
            certificate = factory.CreateOcspResponder(ca, caSigner, key.SubjectPublicKeyInfo, reserved.Serial, notBefore, notAfter);
        }
        catch
        {
            // Nothing signed: the serial is recorded as never issued.
            await recorded.TryAbandonAsync(reserved).ConfigureAwait(false);
            throw;
        }

        var issued = await recorded.RecordAsync(reserved, certificate).ConfigureAwait(false);
        logger.LogInformation("Issued OCSP responder certificate {SerialNumber} for CA {CaId}, valid until {NotAfter}", issued.SerialNumber, ca.Id, notAfter);
        return new ResponderRecord(ca.Id, issued.CertificateDer!, key.KeyUri, notAfter);
    }
}

/// <summary>A responder ready to sign: its certificate (sent in each response) and its signer.</summary>
public sealed record Responder(X509Certificate Certificate, ISigner Signer, DateTimeOffset NotAfter);
