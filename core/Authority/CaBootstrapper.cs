using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Audit;
using Pki.Core.Signing;

namespace Pki.Core.Authority;

/// <summary>
/// Creates the root and issuing CA on first start and reuses them afterwards. Keys are generated in
/// the key store; a key left behind by a crash before its record was written is picked up again.
/// </summary>
public sealed class CaBootstrapper(
    CaKeys keys,
    IAuthorityStore store,
    CertificateFactory factory,
    IAuditTrail audit,
    TimeProvider time,
    IOptions<PkiOptions> options,
    ILogger<CaBootstrapper> logger)
{
    private readonly AuthorityOptions _ca = options.Value.Ca;

    public async Task<(CertificateAuthority Root, CertificateAuthority Issuing)> EnsureHierarchyAsync(CancellationToken cancellationToken = default)
    {
        var root = await store.GetAsync(_ca.RootId, cancellationToken).ConfigureAwait(false)
            ?? await CreateRootAsync(cancellationToken).ConfigureAwait(false);
        var issuing = await store.GetAsync(_ca.IssuingId, cancellationToken).ConfigureAwait(false)
            ?? await CreateIssuingAsync(root, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("CA hierarchy ready: root {RootCaId}, issuing {CaId} (key {KeyUri})", root.Id, issuing.Id, issuing.KeyUri);
        return (root, issuing);
    }

    private async Task<CertificateAuthority> CreateRootAsync(CancellationToken cancellationToken)
    {
        var key = await keys.EnsureAsync(_ca.RootId, _ca.RootKeyAlgorithm, cancellationToken).ConfigureAwait(false);
        var scheme = key.Algorithm.DefaultScheme();
        var signer = await keys.CreateSignerAsync(key.KeyUri, scheme, cancellationToken).ConfigureAwait(false);
        var (notBefore, notAfter) = Validity(_ca.RootValidityDays);
        var serial = SerialNumbers.New();
        logger.LogInformation("Signing root CA certificate {SerialNumber} for {CaId}", SerialNumbers.ToHex(serial), _ca.RootId);
        var cert = factory.CreateRoot(signer, _ca.RootSubject, serial, notBefore, notAfter);
        var record = new CertificateAuthority(_ca.RootId, CaRole.Root, CertificateFactory.Rfc4514(cert.SubjectDN), cert.GetEncoded(), null, notAfter, key.KeyUri, keys.Provider, scheme);
        return await AddOrReadAsync(record, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CertificateAuthority> CreateIssuingAsync(CertificateAuthority root, CancellationToken cancellationToken)
    {
        var key = await keys.EnsureAsync(_ca.IssuingId, _ca.IssuingKeyAlgorithm, cancellationToken).ConfigureAwait(false);
        var scheme = _ca.IssuingSignatureScheme is { } configured && key.Algorithm.Supports(configured) ? configured : key.Algorithm.DefaultScheme();
        var rootSigner = await keys.CreateSignerAsync(root.KeyUri, root.Scheme, cancellationToken).ConfigureAwait(false);
        var (notBefore, notAfter) = Validity(_ca.IssuingValidityDays);
        if (notAfter > root.NotAfter)
        {
            notAfter = root.NotAfter;
        }

        var serial = SerialNumbers.New();
        logger.LogInformation("Signing issuing CA certificate {SerialNumber} for {CaId} with root {RootCaId}", SerialNumbers.ToHex(serial), _ca.IssuingId, root.Id);
        var cert = factory.CreateIssuing(root, rootSigner, key.SubjectPublicKeyInfo, _ca.IssuingSubject, serial, notBefore, notAfter);
        var record = new CertificateAuthority(_ca.IssuingId, CaRole.Issuing, CertificateFactory.Rfc4514(cert.SubjectDN), cert.GetEncoded(), root.Id, notAfter, key.KeyUri, keys.Provider, scheme);
        return await AddOrReadAsync(record, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CertificateAuthority> AddOrReadAsync(CertificateAuthority record, CancellationToken cancellationToken)
    {
        // Before the CA is recorded: if the append fails, the next start finds no CA, reuses the key and appends
        // again. The once key keeps one record per CA key however often that happens.
        await audit.AppendAsync(
            AuditEntry.Succeeded(AuditActions.KeyCreate) with
            {
                SerialNumber = SerialNumbers.ToHex(record.Certificate.SerialNumber),
                Detail = $"ca={record.Id} role={record.Role} key={record.KeyUri} provider={record.KeyProvider} subject={record.Subject}",
                OnceKey = $"key-create:{record.Id}:{record.KeyUri}",
            },
            cancellationToken).ConfigureAwait(false);

        if (await store.TryAddAsync(record, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Created {CaRole} CA {CaId}: {Subject}", record.Role, record.Id, record.Subject);
            return record;
        }

        // Another instance bootstrapped concurrently; its record wins.
        return await store.GetAsync(record.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"CA {record.Id} vanished during bootstrap.");
    }

    private (DateTimeOffset NotBefore, DateTimeOffset NotAfter) Validity(int days)
    {
        var now = Truncate(time.GetUtcNow());
        return (now.AddMinutes(-5), now.AddDays(days));
    }

    internal static DateTimeOffset Truncate(DateTimeOffset value) => new(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
