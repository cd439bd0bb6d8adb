using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Audit;
using Pki.Core.Authority.Policy;
using Pki.Core.Revocation;
using Pki.Core.Signing;

namespace Pki.Core.Authority;

/// <summary>
/// The CA proper: it signs only what the registration authority approved, in the order
/// <see cref="RecordedIssuance"/> keeps, so every signature the key ever made is accounted for in storage.
/// </summary>
public sealed class CertificateIssuer(
    AuthorityDirectory authorities,
    CertificateFactory factory,
    RecordedIssuance recorded,
    IEnumerable<IIssuanceObserver> observers,
    IAuditTrail audit,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<CertificateIssuer> logger)
{
    /// <summary>Backdating absorbs clock skew between us and relying parties.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    /// <summary>RFC 5280's upper bound for commonName; a longer name lives only in the SAN.</summary>
    public const int MaxCommonNameLength = 64;

    /// <param name="beforeSigning">Called with the reserved serial before the signature is made.</param>
    public async Task<CertificateRecord> IssueAsync(
        IssuanceRequest request,
        string requestId,
        Func<string, CancellationToken, Task>? beforeSigning = null,
        CancellationToken cancellationToken = default)
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

        var commonName = CommonName(request.Csr);
        CertificateRecord issued;
        try
        {
            issued = await SignAsync(request, requestId, issuer, signer, commonName, notBefore, notAfter, now, beforeSigning, cancellationToken).ConfigureAwait(false);
        }
        catch (CertificateNotRecordedException e)
        {
            await TryAuditUnrecordedAsync(e, requestId).ConfigureAwait(false);
            throw;
        }

        await NotifyAsync(issued).ConfigureAwait(false);

        // Invariant: no certificate is handed out that the audit trail does not hold. A failed append surfaces as
        // "signed but not recorded", so a keyed request keeps its claim and its retry appends the record.
        try
        {
            await audit.AppendAsync(IssuedEntry(issued), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Certificate {SerialNumber} for request {RequestId} is not in the audit trail", issued.SerialNumber, requestId);
            throw new CertificateNotRecordedException(issued.SerialNumber, e);
        }

        return issued;
    }

    /// <summary>The audit entry of an issued certificate; its once key lets a retry append it without a duplicate.</summary>
    public static AuditEntry IssuedEntry(CertificateRecord issued) => AuditEntry.Succeeded(AuditActions.Issue) with
    {
        RequestId = issued.RequestId,
        SerialNumber = issued.SerialNumber,
        Detail = $"ca={issued.IssuerId} profile={issued.Profile} owner={issued.Owner} subject={issued.Subject} notAfter={AuditHash.FormatTime(issued.NotAfter)}"
            + (issued.PredecessorSerial is { } predecessor ? $" renews={predecessor}" : string.Empty),
        OnceKey = "issue:" + issued.SerialNumber,
    };

    private Task<CertificateRecord> SignAsync(
        IssuanceRequest request,
        string requestId,
        CertificateAuthority issuer,
        ISigner signer,
        string? commonName,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        DateTimeOffset now,
        Func<string, CancellationToken, Task>? beforeSigning,
        CancellationToken cancellationToken)
    {
        var csr = request.Csr;
        var shards = options.Value.Revocation.CrlShards;
        return recorded.SignAsync(
            serial =>
            {
                var serialHex = SerialNumbers.ToHex(serial);
                return new CertificateRecord(
                    serialHex, issuer.Id, CertificateStatus.Issuing, request.Profile.Name, request.Owner!,
                    commonName is null ? string.Empty : "CN=" + commonName, notBefore, notAfter, requestId, now, CrlShard: CrlShards.Of(serialHex, shards),
                    AutoRenew: request.AutoRenew, PredecessorSerial: request.PredecessorSerial, Team: request.Team);
            },
            (serial, record) => factory.CreateLeaf(issuer, signer, new LeafTemplate(
                serial, request.Profile, csr.PublicKey, commonName, csr.DnsNames, csr.IpAddresses, notBefore, notAfter, record.CrlShard)),
            beforeSigning,
            cancellationToken);
    }

    /// <summary>A signature without a stored certificate is the one failure the trail must show; the original error stays what the caller sees.</summary>
    private async Task TryAuditUnrecordedAsync(CertificateNotRecordedException e, string requestId)
    {
        try
        {
            await audit.AppendAsync(AuditEntry.Failed(AuditActions.Issue, "Signed, but the certificate could not be stored.") with { RequestId = requestId, SerialNumber = e.SerialNumber }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception auditFailure)
        {
            logger.LogError(auditFailure, "Could not audit the unrecorded certificate {SerialNumber} of request {RequestId}", e.SerialNumber, requestId);
        }
    }

    /// <summary>Observers (the OCSP pre-signer) run after the record is stored; their failure never undoes an issuance.</summary>
    private async Task NotifyAsync(CertificateRecord issued)
    {
        foreach (var observer in observers)
        {
            try
            {
                await observer.OnIssuedAsync(issued, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "{Observer} failed for certificate {SerialNumber}; it catches up later", observer.GetType().Name, issued.SerialNumber);
            }
        }
    }

    /// <summary>The CSR's commonName, else its first DNS name; none when too long for the CN attribute.</summary>
    private static string? CommonName(ParsedCsr csr) =>
        new[] { csr.CommonName, csr.DnsNames.FirstOrDefault() }.FirstOrDefault(n => n is { Length: > 0 and <= MaxCommonNameLength });
}
