using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.Oiw;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using Pki.Core.Authority;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;
using BcCertificateStatus = Org.BouncyCastle.Ocsp.CertificateStatus;
using CertificateStatus = Pki.Core.Authority.CertificateStatus;

namespace Pki.Core.Revocation.Ocsp;

/// <summary>
/// RFC 6960 responder with the RFC 5019 profile. The common request (SHA-1 CertID, no nonce) is
/// answered from memory or from the stored pre-signed response; it signs only when that response is
/// missing or stale (once per certificate and half-life, however many ask). What only a signature for the
/// request itself answers (a nonce, another hash, a serial we did not issue) draws on a per-instance
/// budget; past it the answer is the pre-signed response without the nonce, or tryLater. Nonce-less
/// answers, "unknown" included, are kept in memory by request. Every failure is an OCSP error status,
/// never an exception to the caller.
/// </summary>
public sealed class OcspResponder(
    AuthorityDirectory authorities,
    ICertificateStore certificates,
    IOcspResponseStore responses,
    ResponderCertificates responders,
    TimeProvider time,
    IOptions<PkiOptions> options,
    ILogger<OcspResponder> logger) : IIssuanceObserver
{
    /// <summary>An OCSP request for one certificate is about 100 bytes; anything much larger is refused unread.</summary>
    public const int MaxRequestBytes = 4096;

    /// <summary>RFC 9654 (which replaced RFC 8954) lets nonces be up to 128 octets.</summary>
    public const int MaxNonceBytes = 128;

    private const int MaxCachedResponses = 100_000;

    /// <summary>OCSPResponseStatus tryLater (RFC 6960 4.2.1): unsigned, so it costs the responder no signature.</summary>
    private const int TryLater = 3;

    /// <summary>A one-certificate request without extensions is about 80 bytes; a nonce adds about 20.</summary>
    private const int MaxCachedRequestBytes = 256;
    private static readonly TimeSpan IssuerReloadInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RefusalReportInterval = TimeSpan.FromMinutes(1);
    private static readonly OcspReply TryLaterReply = Error(TryLater, "tryLater");
    private static readonly string Sha1 = OiwObjectIdentifiers.IdSha1.Id;

    private readonly RevocationOptions _options = options.Value.Revocation;

    // Cacheable replies by the exact request bytes: a repeated request is answered without parsing it or reading storage.
    private readonly ConcurrentDictionary<string, CachedReply> _cache = new(StringComparer.Ordinal);

    // What requests no pre-signed or cached response answers may make this instance sign.
    private readonly SigningBudget _budget = new(options.Value.Revocation.OcspOnDemandSignaturesPerSecond, options.Value.Revocation.OcspOnDemandSignatureBurst, time);
    private IssuerIndex _issuers = IssuerIndex.Empty;
    private long _refused;
    private long _refusalReportedAt;

    public async Task<OcspReply> RespondAsync(ReadOnlyMemory<byte> requestDer, CancellationToken cancellationToken = default)
    {
        // Keyed by the request bytes themselves, one char per byte: hashing them with SHA-256 cost more than the rest
        // of a cache hit. String keys get randomized hashing, and only sizes clients send are kept (memory stays bounded).
        var requestKey = requestDer.Length is > 0 and <= MaxCachedRequestBytes ? Encoding.Latin1.GetString(requestDer.Span) : null;
        if (requestKey is not null && _cache.TryGetValue(requestKey, out var hit) && hit.Until > time.GetUtcNow())
        {
            return hit.Reply;
        }

        var (reply, reusable) = await RespondUncachedAsync(requestDer, cancellationToken).ConfigureAwait(false);
        if (requestKey is not null && reusable && _options.OcspCacheSeconds > 0)
        {
            if (_cache.Count >= MaxCachedResponses)
            {
                _cache.Clear();
            }

            var until = time.GetUtcNow().AddSeconds(_options.OcspCacheSeconds);
            _cache[requestKey] = new CachedReply(reply, reply.NextUpdate is { } nextUpdate && nextUpdate < until ? nextUpdate : until);
        }

        return reply;
    }

    /// <returns>The reply, and whether the same request bytes may get it again (no nonce, signed).</returns>
    private async Task<(OcspReply Reply, bool Reusable)> RespondUncachedAsync(ReadOnlyMemory<byte> requestDer, CancellationToken cancellationToken)
    {
        try
        {
            if (!TryParse(requestDer, out var certId, out var nonce))
            {
                return (Error(OcspRespStatus.MalformedRequest, "malformedRequest"), false);
            }

            var ca = await FindIssuerAsync(certId, cancellationToken).ConfigureAwait(false);
            if (ca is null)
            {
                return (Error(OcspRespStatus.Unauthorized, "unauthorized"), false);
            }

            var serial = certId.SerialNumber.SignValue > 0 ? SerialNumbers.ToHex(certId.SerialNumber) : null;
            CertificateRecord? record = null;
            var recordRead = false;
            StoredOcspResponse? presigned = null;
            if (certId.HashAlgOid == Sha1 && serial is not null)
            {
                presigned = await GetFreshAsync(serial, ca, cancellationToken).ConfigureAwait(false);
                if (presigned is null)
                {
                    record = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false);
                    recordRead = true;
                    if (StatusOf(record, ca).Status != OcspCertStatus.Unknown)
                    {
                        // Missing or stale: made now, as the timer would have; once per certificate and half-life, not per request.
                        presigned = await PresignAsync(record!, ca, CancellationToken.None).ConfigureAwait(false);
                    }
                }

                if (presigned is not null && nonce is null)
                {
                    return (Reply(presigned), true);
                }
            }

            // What is left needs a signature for this request alone: a nonce, another hash than SHA-1, or a serial we did
            // not issue. Past the budget a nonce goes unanswered (the pre-signed response, as RFC 5019 responders answer,
            // leaves it out and the client judges that) or the request gets tryLater: a flood cannot make us sign.
            if (!TakeBudget())
            {
                return (presigned is not null ? new OcspReply(presigned.ResponseDer, Name(presigned.Status)) : TryLaterReply, false);
            }

            if (!recordRead && serial is not null)
            {
                record = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false);
            }

            var (status, revokedAt, reason) = StatusOf(record, ca);
            var (thisUpdate, nextUpdate) = Validity();
            var responder = await responders.GetAsync(ca, cancellationToken).ConfigureAwait(false);
            var body = Sign(responder, certId, status, revokedAt, reason, thisUpdate, nextUpdate, nonce);

            // "unknown" is kept in memory like the rest, never by HTTP caches: a serial is known to nobody before its
            // certificate is issued (127 random bits), but a cache outside our reach could not be told otherwise.
            return nonce is null && status != OcspCertStatus.Unknown
                ? (new OcspReply(body, Name(status), thisUpdate, nextUpdate), true)
                : (new OcspReply(body, Name(status)), nonce is null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            logger.LogError(e, "OCSP request failed; answered internalError");
            return (Error(OcspRespStatus.InternalError, "internalError"), false);
        }
    }

    /// <summary>Takes a signature from the budget; a refusal is counted and reported at most once a minute.</summary>
    private bool TakeBudget()
    {
        if (_budget.TryTake())
        {
            return true;
        }

        Interlocked.Increment(ref _refused);
        var now = time.GetUtcNow().UtcTicks;
        var reported = Interlocked.Read(ref _refusalReportedAt);
        if (now - reported >= RefusalReportInterval.Ticks && Interlocked.CompareExchange(ref _refusalReportedAt, now, reported) == reported)
        {
            logger.LogWarning(
                "OCSP on-demand signing budget of this instance ({PerSecond}/s, burst {Burst}) spent: {Refused} requests answered tryLater or without their nonce since the last report",
                _options.OcspOnDemandSignaturesPerSecond, _options.OcspOnDemandSignatureBurst, Interlocked.Exchange(ref _refused, 0));
        }

        return false;
    }

    public async Task OnIssuedAsync(CertificateRecord certificate, CancellationToken cancellationToken = default)
    {
        if (certificate.Profile == ResponderCertificates.Profile)
        {
            return;
        }

        var ca = await authorities.GetAsync(certificate.IssuerId, cancellationToken).ConfigureAwait(false);
        await PresignAsync(certificate, ca, first: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signs and stores the response for the certificate's current status.</summary>
    public Task<StoredOcspResponse> PresignAsync(CertificateRecord certificate, CertificateAuthority ca, CancellationToken cancellationToken = default) =>
        PresignAsync(certificate, ca, first: false, cancellationToken);

    /// <summary>Signs and stores the response; <paramref name="first"/> for a certificate just issued, which has none yet.</summary>
    private async Task<StoredOcspResponse> PresignAsync(CertificateRecord certificate, CertificateAuthority ca, bool first, CancellationToken cancellationToken)
    {
        var (status, revokedAt, reason) = StatusOf(certificate, ca);
        var (thisUpdate, nextUpdate) = Validity();
        var responder = await responders.GetAsync(ca, cancellationToken).ConfigureAwait(false);
        var certId = new CertificateID(new AlgorithmIdentifier(OiwObjectIdentifiers.IdSha1, DerNull.Instance), ca.Certificate, new BcBigInteger(certificate.SerialNumber, 16));
        var body = Sign(responder, certId, status, revokedAt, reason, thisUpdate, nextUpdate, nonce: null);

        // Re-sign at half-life while the certificate is valid; after it expires the last response stands.
        var refreshAt = thisUpdate + (TimeSpan.FromHours(_options.OcspValidityHours) / 2);
        var stored = new StoredOcspResponse(certificate.SerialNumber, ca.Id, status, thisUpdate, nextUpdate,
            certificate.NotAfter < thisUpdate ? null : refreshAt, body);
        // A signer that read the record just before a revocation must not put "good" back over "revoked".
        return first
            ? await responses.AddFirstAsync(stored, cancellationToken).ConfigureAwait(false)
            : await responses.SaveAsync(stored, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Signs the certificate's response unless the stored one is fresh and already says what the record says (a
    /// repeated revocation signs nothing); returns whether it signed.
    /// </summary>
    public async Task<bool> EnsurePresignedAsync(CertificateRecord certificate, CertificateAuthority ca, CancellationToken cancellationToken = default)
    {
        var stored = await GetFreshAsync(certificate.SerialNumber, ca, cancellationToken).ConfigureAwait(false);
        if (stored is not null && stored.Status == StatusOf(certificate, ca).Status)
        {
            return false;
        }

        Forget();
        await PresignAsync(certificate, ca, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The timer's pass: re-sign every response of each issuing CA whose refresh time has come.</summary>
    public async Task<int> RefreshDueAsync(CancellationToken cancellationToken = default)
    {
        var refreshed = 0;
        foreach (var ca in await authorities.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (ca.Role != CaRole.Issuing)
            {
                continue;
            }

            // Replaces the responder certificate ahead of its expiry even when no request arrives.
            await responders.GetAsync(ca, cancellationToken).ConfigureAwait(false);
            await foreach (var (serial, key) in responses.ListDueAsync(ca.Id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            {
                var record = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false);
                if (record is not null)
                {
                    await PresignAsync(record, ca, cancellationToken).ConfigureAwait(false);
                    refreshed++;
                    if (refreshed % 1000 == 0)
                    {
                        logger.LogInformation("OCSP refresh: {Count} responses re-signed so far for CA {CaId}", refreshed, ca.Id);
                    }
                }

                // Saving moved the entry; this removes one left by a crash or a vanished record.
                await responses.RemoveRefreshEntryAsync(ca.Id, key, cancellationToken).ConfigureAwait(false);
            }
        }

        return refreshed;
    }

    /// <summary>Empties this instance's cache so the next request reads storage (revocations are rare; the cache is keyed by request, not serial).</summary>
    public void Forget() => _cache.Clear();

    private async Task<StoredOcspResponse?> GetFreshAsync(string serial, CertificateAuthority ca, CancellationToken cancellationToken)
    {
        var stored = await responses.GetAsync(serial, cancellationToken).ConfigureAwait(false);
        return stored is null || stored.IssuerId != ca.Id || time.GetUtcNow() >= (stored.RefreshAt ?? stored.NextUpdate) ? null : stored;
    }

    private static OcspReply Reply(StoredOcspResponse stored) => new(stored.ResponseDer, Name(stored.Status), stored.ThisUpdate, stored.NextUpdate);

    private (DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate) Validity()
    {
        var thisUpdate = CaBootstrapper.Truncate(time.GetUtcNow());
        return (thisUpdate, thisUpdate.AddHours(_options.OcspValidityHours));
    }

    private static (OcspCertStatus Status, DateTimeOffset? RevokedAt, RevocationReason? Reason) StatusOf(CertificateRecord? record, CertificateAuthority ca) => record switch
    {
        null => (OcspCertStatus.Unknown, null, null),
        _ when record.IssuerId != ca.Id => (OcspCertStatus.Unknown, null, null),
        { Status: CertificateStatus.Revoked } => (OcspCertStatus.Revoked, record.RevokedAt, record.RevocationReason),
        { Status: CertificateStatus.Issued } => (OcspCertStatus.Good, null, null),
        _ => (OcspCertStatus.Unknown, null, null),
    };

    private static bool TryParse(ReadOnlyMemory<byte> der, out CertificateID certId, out Org.BouncyCastle.Asn1.X509.X509Extension? nonce)
    {
        certId = null!;
        nonce = null;
        if (der.Length is 0 or > MaxRequestBytes)
        {
            return false;
        }

        try
        {
            var request = new OcspReq(der.ToArray());
            var list = request.GetRequestList();

            // RFC 5019 2.1.1: one certificate per request.
            if (list.Length != 1)
            {
                return false;
            }

            certId = list[0].GetCertID();
            nonce = request.RequestExtensions?.GetExtension(OcspObjectIdentifiers.PkixOcspNonce);
            if (nonce is not null)
            {
                var value = Asn1OctetString.GetInstance(nonce.GetParsedValue()).GetOctets();
                if (value.Length is 0 or > MaxNonceBytes)
                {
                    return false;
                }
            }

            return certId.GetIssuerNameHash().Length > 0 && certId.GetIssuerKeyHash().Length > 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // BouncyCastle throws several exception types for bad DER; all mean the same to the client.
            return false;
        }
    }

    private async Task<CertificateAuthority?> FindIssuerAsync(CertificateID certId, CancellationToken cancellationToken)
    {
        var key = IssuerIndex.Key(certId.HashAlgOid, certId.GetIssuerNameHash(), certId.GetIssuerKeyHash());
        var index = _issuers;
        if (index.TryGet(key, out var ca))
        {
            return ca;
        }

        // An unknown issuer reloads the CA list at most every 30 s, so unknown issuers cannot hammer storage.
        if (time.GetUtcNow() - index.LoadedAt < IssuerReloadInterval)
        {
            return null;
        }

        var all = await authorities.ListAsync(cancellationToken).ConfigureAwait(false);
        _issuers = index = IssuerIndex.Build(all.Where(a => a.Role == CaRole.Issuing), time.GetUtcNow());
        return index.TryGet(key, out ca) ? ca : null;
    }

    private static byte[] Sign(
        Responder responder,
        CertificateID certId,
        OcspCertStatus status,
        DateTimeOffset? revokedAt,
        RevocationReason? reason,
        DateTimeOffset thisUpdate,
        DateTimeOffset nextUpdate,
        Org.BouncyCastle.Asn1.X509.X509Extension? nonce)
    {
        var keyHash = SHA1.HashData(responder.Certificate.CertificateStructure.SubjectPublicKeyInfo.PublicKey.GetOctets());
        var generator = new BasicOcspRespGenerator(new RespID(new ResponderID(new DerOctetString(keyHash))));
        BcCertificateStatus? certStatus = status switch
        {
            OcspCertStatus.Good => BcCertificateStatus.Good,
            OcspCertStatus.Revoked when reason is null or RevocationReason.Unspecified => new RevokedStatus(revokedAt!.Value.UtcDateTime),
            OcspCertStatus.Revoked => new RevokedStatus(revokedAt!.Value.UtcDateTime, (int)reason!.Value),
            _ => new UnknownStatus(),
        };
        generator.AddResponse(certId, certStatus, thisUpdate.UtcDateTime, nextUpdate.UtcDateTime, null);
        if (nonce is not null)
        {
            generator.SetResponseExtensions(new X509Extensions(new Dictionary<DerObjectIdentifier, Org.BouncyCastle.Asn1.X509.X509Extension>
            {
                [OcspObjectIdentifiers.PkixOcspNonce] = nonce,
            }));
        }

        var basic = generator.Generate(new SignerSignatureFactory(responder.Signer), [responder.Certificate], thisUpdate.UtcDateTime);
        return new OCSPRespGenerator().Generate(OcspRespStatus.Successful, basic).GetEncoded();
    }

    private static OcspReply Error(int status, string outcome) =>
        new(new OCSPRespGenerator().Generate(status, null).GetEncoded(), outcome);

    private static string Name(OcspCertStatus status) => status.ToString().ToLowerInvariant();

    private sealed record CachedReply(OcspReply Reply, DateTimeOffset Until);

    /// <summary>Issuing CAs by (hash algorithm, issuer name hash, issuer key hash), for the hashes clients use.</summary>
    private sealed class IssuerIndex
    {
        public static readonly IssuerIndex Empty = new(new Dictionary<string, CertificateAuthority>(), DateTimeOffset.MinValue);

        private readonly Dictionary<string, CertificateAuthority> _byKey;

        private IssuerIndex(Dictionary<string, CertificateAuthority> byKey, DateTimeOffset loadedAt)
        {
            _byKey = byKey;
            LoadedAt = loadedAt;
        }

        public DateTimeOffset LoadedAt { get; }

        public static string Key(string hashOid, byte[] nameHash, byte[] keyHash) =>
            hashOid + "|" + Convert.ToHexString(nameHash) + "|" + Convert.ToHexString(keyHash);

        public static IssuerIndex Build(IEnumerable<CertificateAuthority> cas, DateTimeOffset loadedAt)
        {
            var byKey = new Dictionary<string, CertificateAuthority>(StringComparer.Ordinal);
            foreach (var ca in cas)
            {
                var name = ca.SubjectNameDer;
                var key = ca.Certificate.CertificateStructure.SubjectPublicKeyInfo.PublicKey.GetOctets();
                byKey[Key(OiwObjectIdentifiers.IdSha1.Id, SHA1.HashData(name), SHA1.HashData(key))] = ca;
                byKey[Key(Org.BouncyCastle.Asn1.Nist.NistObjectIdentifiers.IdSha256.Id, SHA256.HashData(name), SHA256.HashData(key))] = ca;
                byKey[Key(Org.BouncyCastle.Asn1.Nist.NistObjectIdentifiers.IdSha384.Id, SHA384.HashData(name), SHA384.HashData(key))] = ca;
                byKey[Key(Org.BouncyCastle.Asn1.Nist.NistObjectIdentifiers.IdSha512.Id, SHA512.HashData(name), SHA512.HashData(key))] = ca;
            }

            return new IssuerIndex(byKey, loadedAt);
        }

        public bool TryGet(string key, out CertificateAuthority ca) => _byKey.TryGetValue(key, out ca!);
    }
}
