using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Ocsp;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Revocation;
using Pki.Core.Revocation.Ocsp;
using Pki.Core.Signing;

namespace Pki.Core.Health;

/// <summary>
/// What an admin checks first, read from the real parts: each CA key through its key store (PKCS#11 or Key Vault), each
/// published CRL's nextUpdate, the OCSP responder answering a request it signs, and the audit chain's last verification.
/// A part that fails is reported as failing, never as an error of the whole report. The OCSP self-check signs, so its
/// result is kept for <see cref="OcspCheckInterval"/>: reloading the dashboard cannot make the responder sign more.
/// </summary>
public sealed class ServiceHealth(
    AuthorityDirectory authorities,
    IKeyManager keys,
    ICrlStore crls,
    OcspService ocsp,
    IAuditCheckStore auditChecks,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<ServiceHealth> logger)
{
    public static readonly TimeSpan OcspCheckInterval = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan KeyTimeout = TimeSpan.FromSeconds(10);

    private volatile IReadOnlyList<OcspHealth>? _ocsp;

    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var cas = await authorities.ListAsync(cancellationToken).ConfigureAwait(false);
        var keyChecks = await Task.WhenAll(cas.Select(ca => KeyAsync(ca, cancellationToken))).ConfigureAwait(false);
        var crlChecks = new List<CrlHealth>();
        foreach (var ca in cas)
        {
            foreach (var id in CrlIds(ca))
            {
                crlChecks.Add(await CrlAsync(id, now, cancellationToken).ConfigureAwait(false));
            }
        }

        var ocspChecks = _ocsp is { } cached && cached.All(c => now - c.CheckedAt < OcspCheckInterval && c.CheckedAt <= now)
            ? cached
            : _ocsp = await Task.WhenAll(cas.Where(ca => ca.Role == CaRole.Issuing).Select(ca => OcspAsync(ca, now, cancellationToken))).ConfigureAwait(false);
        var last = await auditChecks.GetLastAsync(cancellationToken).ConfigureAwait(false);
        return new HealthReport(now, keyChecks, crlChecks, ocspChecks, new AuditHealth(last?.VerifiedAt, last?.Ok, last?.Count, last?.BrokenAt));
    }

    private IEnumerable<CrlId> CrlIds(CertificateAuthority ca)
    {
        yield return CrlId.Full(ca.Id);
        if (ca.Role == CaRole.Issuing)
        {
            for (var shard = 0; shard < options.Value.Revocation.CrlShards; shard++)
            {
                yield return CrlId.ForShard(ca.Id, shard);
            }

            yield return CrlId.Delta(ca.Id);
        }
    }

    private async Task<CaKeyHealth> KeyAsync(CertificateAuthority ca, CancellationToken cancellationToken)
    {
        var role = ca.Role.ToString().ToLowerInvariant();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(KeyTimeout);
            var key = await keys.GetPublicKeyAsync(new GetPublicKeyRequest(ca.KeyUri), timeout.Token).ConfigureAwait(false);
            if (key is null)
            {
                return new CaKeyHealth(ca.Id, role, ca.KeyProvider, false, $"The key store has no key at {ca.KeyUri}.");
            }

            var expected = ca.Certificate.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded();
            return key.SubjectPublicKeyInfo.AsSpan().SequenceEqual(expected)
                ? new CaKeyHealth(ca.Id, role, ca.KeyProvider, true, $"The key at {ca.KeyUri} answered with the CA certificate's public key.")
                : new CaKeyHealth(ca.Id, role, ca.KeyProvider, false, $"The key at {ca.KeyUri} is not the CA certificate's key.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Health: the key of CA {CaId} could not be read", ca.Id);
            return new CaKeyHealth(ca.Id, role, ca.KeyProvider, false, $"The key store did not answer: {e.GetType().Name}: {Clip(e.Message)}");
        }
    }

    private async Task<CrlHealth> CrlAsync(CrlId id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var name = id.ToString()[(id.IssuerId.Length + 1)..];
        var info = await crls.GetInfoAsync(id, cancellationToken).ConfigureAwait(false);
        return info is null
            ? new CrlHealth(id.IssuerId, name, null, null, null, "missing")
            : new CrlHealth(id.IssuerId, name, info.CrlNumber, info.ThisUpdate, info.NextUpdate, info.NextUpdate > now ? "current" : "stale");
    }

    private async Task<OcspHealth> OcspAsync(CertificateAuthority ca, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            // A serial of 16 random bytes (positive): not one this CA issued, so the answer must be "unknown", signed.
            var serialBytes = RandomNumberGenerator.GetBytes(16);
            serialBytes[0] &= 0x7F;
            serialBytes[0] |= 0x01;
            var id = new CertificateID(CertificateID.DigestSha1, ca.Certificate, new BigInteger(1, serialBytes));
            var generator = new OcspReqGenerator();
            generator.AddRequest(id);
            var reply = await ocsp.RespondAsync(generator.Generate().GetEncoded(), cancellationToken).ConfigureAwait(false);
            var response = new OcspResp(reply.Body);
            if (response.Status != OcspRespStatus.Successful)
            {
                return new OcspHealth(ca.Id, false, $"The responder answered status {response.Status} ({reply.Outcome}).", now);
            }

            var basic = (BasicOcspResp)response.GetResponseObject();
            var signer = basic.GetCerts().FirstOrDefault() ?? ca.Certificate;
            if (!basic.Verify(signer.GetPublicKey()))
            {
                return new OcspHealth(ca.Id, false, "The response's signature does not verify under its signer's key.", now);
            }

            if (!signer.Equals(ca.Certificate))
            {
                // A delegated responder: its certificate must be the CA's.
                signer.Verify(ca.Certificate.GetPublicKey());
            }

            var single = basic.Responses.Single();
            if (!single.GetCertID().Equals(id) || single.GetCertStatus() is not UnknownStatus)
            {
                return new OcspHealth(ca.Id, false, "The response does not answer 'unknown' for the serial asked about.", now);
            }

            return new OcspHealth(ca.Id, true, $"Signed 'unknown' for a serial never issued, produced {basic.ProducedAt:yyyy-MM-dd HH:mm:ss} UTC.", now);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Health: the OCSP self-check for CA {CaId} failed", ca.Id);
            return new OcspHealth(ca.Id, false, $"The self-check failed: {e.GetType().Name}: {Clip(e.Message)}", now);
        }
    }

    private static string Clip(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
