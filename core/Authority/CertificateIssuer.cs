using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Audit;
using Pki.Core.Errors;
using Pki.Core.Authority.Policy;
using Pki.Core.Revocation;
using Pki.Core.Signing;

namespace Pki.Core.Authority;

/// <summary>
/// The CA proper: it signs only what the registration authority approved, in the order
/// <see cref="RecordedIssuance"/> keeps, so every signature the key ever made is accounted for in storage. Each
/// issuance is journaled before it is signed and closed once everything derived from it is written
/// (<see cref="FinishAsync"/>); the issuance repair pass finishes what a crash left open.
/// </summary>
public sealed class CertificateIssuer(
    AuthorityDirectory authorities,
    CertificateFactory factory,
    RecordedIssuance recorded,
    IEnumerable<IIssuanceObserver> observers,
    IIssuanceJournal journal,
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
            await TryAuditFailureAsync("Signed; storing the certificate failed or its answer was lost. A retry with the Idempotency-Key finds which (an issue record follows if it was stored).", e.SerialNumber, requestId).ConfigureAwait(false);
            throw;
        }
        catch (ReservationAbandonedException e)
        {
            await TryAuditFailureAsync("Signed after its serial was abandoned (a retry took the request over, or it outlasted the repair pass's wait); kept in storage, never issued or handed out.", e.SerialNumber, requestId).ConfigureAwait(false);
            throw Superseded();
        }

        await FinishAsync(issued, CancellationToken.None).ConfigureAwait(false);
        return issued;
    }

    /// <summary>
    /// Writes everything derived from a stored certificate (the observers: events, pre-signed OCSP, inventory) and its
    /// audit record, then closes its journal entry. Safe to run again: the issuance, a recovering retry and the repair
    /// pass all call it. An observer's failure leaves the entry open for the repair pass and never undoes the issuance.
    /// </summary>
    /// <returns>True when everything derived was written and the entry closed; false leaves it to the repair pass.</returns>
    /// <exception cref="CertificateNotRecordedException">The audit trail did not take the record.</exception>
    public async Task<bool> FinishAsync(CertificateRecord issued, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issued);
        var derived = await NotifyAsync(issued).ConfigureAwait(false);

        // Invariant: no certificate is handed out that the audit trail does not hold. A failed append surfaces as
        // "signed but not recorded", so a keyed request keeps its claim and its retry (or the repair pass) appends it.
        try
        {
            await audit.AppendAsync(IssuedEntry(issued), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Certificate {SerialNumber} for request {RequestId} is not in the audit trail", issued.SerialNumber, issued.RequestId);
            throw new CertificateNotRecordedException(issued.SerialNumber, e);
        }

        if (!derived)
        {
            return false;
        }

        try
        {
            await journal.CloseAsync(JournalEntry(issued), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Everything is written; the repair pass finds it so and closes the entry.
            logger.LogWarning(e, "Could not close the journal entry of certificate {SerialNumber}", issued.SerialNumber);
            return false;
        }
    }

    /// <summary>One story per serial: the trail says once that this serial is never issued, and why.</summary>
    public static AuditEntry AbandonedEntry(string requestId, string serialNumber, string why) => AuditEntry.Failed(
        AuditActions.Issue, $"Abandoned: {why}; this serial is never issued.") with
    {
        RequestId = requestId,
        SerialNumber = serialNumber,
        OnceKey = "abandon:" + serialNumber,
    };

    public static IssuanceJournalEntry JournalEntry(CertificateRecord record) => new(record.SerialNumber, record.CreatedAt);

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

        // The journal entry exists before the reservation, so no crash can leave a reservation or a signed certificate
        // that nobody finishes (an entry whose reservation never landed is closed by the repair pass).
        Task OpenAsync(string serial, CancellationToken ct) => journal.OpenAsync(new IssuanceJournalEntry(serial, now), ct);

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
            cancellationToken,
            beforeReserving: OpenAsync);
    }

    /// <summary>The request lost its Idempotency-Key to a retry; that retry's result stands.</summary>
    public static ProblemException Superseded() =>
        ProblemException.Conflict("request-superseded", "This request took too long and its serial was given up (a retry with the same Idempotency-Key took it over, or the service stopped waiting for it); nothing was issued for it. A retry with the same Idempotency-Key returns that retry's certificate.");

    /// <summary>A signature that did not become an issued certificate is a failure the trail must show; the original error stays what the caller sees.</summary>
    private async Task TryAuditFailureAsync(string detail, string serialNumber, string requestId)
    {
        try
        {
            await audit.AppendAsync(AuditEntry.Failed(AuditActions.Issue, detail) with { RequestId = requestId, SerialNumber = serialNumber }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception auditFailure)
        {
            logger.LogError(auditFailure, "Could not audit the failed issuance of {SerialNumber} for request {RequestId}", serialNumber, requestId);
        }
    }

    /// <summary>Observers run after the record is stored; true when all of them succeeded.</summary>
    private async Task<bool> NotifyAsync(CertificateRecord issued)
    {
        var all = true;
        foreach (var observer in observers)
        {
            try
            {
                await observer.OnIssuedAsync(issued, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                all = false;
                logger.LogWarning(e, "{Observer} failed for certificate {SerialNumber}; its journal entry stays open for the issuance repair pass", observer.GetType().Name, issued.SerialNumber);
            }
        }

        return all;
    }

    /// <summary>The CSR's commonName, else its first DNS name; none when too long for the CN attribute.</summary>
    private static string? CommonName(ParsedCsr csr) =>
        new[] { csr.CommonName, csr.DnsNames.FirstOrDefault() }.FirstOrDefault(n => n is { Length: > 0 and <= MaxCommonNameLength });
}
