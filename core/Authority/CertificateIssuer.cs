using Microsoft.Extensions.Logging;
using Org.BouncyCastle.X509;
using Pki.Core.Audit;
using Pki.Core.Errors;
using Pki.Core.Authority.Policy;
using Pki.Core.Signing;

namespace Pki.Core.Authority;

/// <summary>
/// The CA proper: it signs only what the registration authority approved, in the order <see cref="RecordedIssuance"/>
/// keeps, so every signature the key ever made is accounted for in storage. An issuance is four steps a caller takes in
/// order, with its own steps between them (binding the serial to an Idempotency-Key claim, an approval or a renewal
/// link): <see cref="ReserveAsync"/> (journal entry, then an "issuing" record under a fresh serial),
/// <see cref="SignAndRecordAsync"/> (signature, "issued" record, audit record, derived rows), or
/// <see cref="AbandonAsync"/> when the caller's own step failed before signing. <see cref="IssueAsync"/> is the
/// two in a row, for callers with nothing in between. The issuance repair pass finishes what a crash left open.
/// </summary>
public sealed class CertificateIssuer(
    AuthorityDirectory authorities,
    CertificateFactory factory,
    RecordedIssuance recorded,
    ICertificateStore certificates,
    IEnumerable<IIssuanceObserver> observers,
    IIssuanceJournal journal,
    IAuditTrail audit,
    ICrlShardCount crlShards,
    TimeProvider time,
    ILogger<CertificateIssuer> logger,
    IssuanceFollowUp? followUp = null)
{
    /// <summary>Backdating absorbs clock skew between us and relying parties.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    /// <summary>RFC 5280's upper bound for commonName; a longer name lives only in the SAN.</summary>
    public const int MaxCommonNameLength = 64;

    /// <summary>Reserve, then sign and record: an issuance with no step of the caller's in between.</summary>
    public async Task<CertificateRecord> IssueAsync(IssuanceRequest request, string requestId, CancellationToken cancellationToken = default)
    {
        var reservation = await ReserveAsync(request, requestId, cancellationToken).ConfigureAwait(false);
        return await SignAndRecordAsync(reservation).ConfigureAwait(false);
    }

    /// <summary>
    /// Step 1: the journal entry, then an "issuing" record under a fresh serial, with the certificate's validity fixed.
    /// The journal entry exists before the reservation, so no crash leaves a reservation or a signed certificate that
    /// nobody finishes (an entry whose reservation never landed is closed by the repair pass).
    /// </summary>
    public async Task<Reservation> ReserveAsync(IssuanceRequest request, string requestId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
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
        var draft = new ReservationDraft(
            issuer.Id, request.Profile.Name, request.Owner!, commonName is null ? string.Empty : "CN=" + commonName,
            notBefore, notAfter, requestId, now, Journaled: true, CrlShardCount: crlShards.Count,
            AutoRenew: request.AutoRenew, PredecessorSerial: request.PredecessorSerial, Team: request.Team);
        var reserved = await recorded.ReserveAsync(draft, cancellationToken).ConfigureAwait(false);

        var csr = request.Csr;
        var template = new LeafTemplate(reserved.Serial, request.Profile, csr.PublicKey, commonName, csr.DnsNames, csr.IpAddresses, notBefore, notAfter, reserved.Record.CrlShard);
        return new Reservation(reserved, issuer, signer, template);
    }

    /// <summary>Completes once what follows the issuance of <paramref name="serialNumber"/> (its derived rows and "issued" event) is written here.</summary>
    public Task WhenDerivedAsync(string serialNumber) => followUp?.WhenFinishedAsync(serialNumber) ?? Task.CompletedTask;

    /// <summary>The caller's step after reserving failed: the serial is recorded as never issued (nothing was signed).</summary>
    public Task AbandonAsync(Reservation reservation)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        return recorded.TryAbandonAsync(reservation.Reserved);
    }

    /// <summary>
    /// Steps 2 and 3: sign, record "issued" if the reservation still stands, then the audit record and the derived rows
    /// (<see cref="FinishAsync"/>). From here on nothing is cancelled: a reserved serial is carried to the end.
    /// </summary>
    /// <exception cref="CertificateNotRecordedException">Signed; the issued or audit record could not be written (a keyed retry recovers it).</exception>
    /// <exception cref="ProblemException">Signed after a retry abandoned the reservation (request-superseded); kept, never handed out.</exception>
    public async Task<CertificateRecord> SignAndRecordAsync(Reservation reservation)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        var reserved = reservation.Reserved;
        X509Certificate certificate;
        try
        {
            certificate = factory.CreateLeaf(reservation.Issuer, reservation.Signer, reservation.Template);
        }
        catch
        {
            // No signature (the signer failed): the serial is recorded as never issued.
            await AbandonAsync(reservation).ConfigureAwait(false);
            throw;
        }

        CertificateRecord issued;
        try
        {
            issued = await recorded.RecordAsync(reserved, certificate).ConfigureAwait(false);
        }
        catch (CertificateNotRecordedException e)
        {
            await TryAuditFailureAsync("Signed; storing the certificate failed or its answer was lost. A retry with the Idempotency-Key finds which (an issue record follows if it was stored).", e.SerialNumber, reserved.Record.RequestId).ConfigureAwait(false);
            throw;
        }
        catch (ReservationAbandonedException e)
        {
            await TryAuditFailureAsync("Signed after its serial was abandoned (a retry took the request over, or it outlasted the repair pass's wait); kept in storage, never issued or handed out.", e.SerialNumber, reserved.Record.RequestId).ConfigureAwait(false);
            throw Superseded();
        }

        // The certificate is stored; it may be handed out once the audit trail holds it too. What is derived from it
        // follows beside the answer (the journal entry stays open until it is written; the repair pass finishes it
        // after a crash).
        await AuditIssuedAsync(issued, CancellationToken.None).ConfigureAwait(false);
        if (followUp is null)
        {
            await DeriveAndCloseAsync(issued).ConfigureAwait(false);
        }
        else
        {
            await followUp.RunAsync(issued.SerialNumber, () => DeriveAndCloseAsync(issued)).ConfigureAwait(false);
        }

        logger.LogInformation("Issued certificate {SerialNumber} for request {RequestId} with CA {CaId}, profile {Profile}", issued.SerialNumber, issued.RequestId, issued.IssuerId, issued.Profile);
        return issued;
    }

    /// <summary>
    /// Writes everything derived from a stored certificate (the observers: events, renewal index, pre-signed OCSP, inventory) and its
    /// audit record, then closes its journal entry. Safe to run again: a recovering retry and the repair pass call it (a
    /// fresh issuance writes the same in two parts, the audit record before its answer and the rest beside it). An observer's failure leaves the entry open for the repair pass and never undoes the issuance.
    /// </summary>
    /// <returns>True when everything derived was written and the entry closed; false leaves it to the repair pass.</returns>
    /// <exception cref="CertificateNotRecordedException">The audit trail did not take the record.</exception>
    public async Task<bool> FinishAsync(CertificateRecord issued, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issued);

        // The derived rows and the audit record are independent writes: they go out together.
        var derived = DeriveAndCloseAsync(issued);
        await AuditIssuedAsync(issued, cancellationToken).ConfigureAwait(false);
        return await derived.ConfigureAwait(false);
    }

    /// <summary>The derived rows, then the journal entry closed; false leaves the entry open for the repair pass.</summary>
    private async Task<bool> DeriveAndCloseAsync(CertificateRecord issued)
    {
        if (!await DeriveAsync(issued).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            await journal.CloseAsync(IssuanceJournalEntry.Of(issued), CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception e)
        {
            // Everything is written; the repair pass finds it so and closes the entry.
            logger.LogWarning(e, "Could not close the journal entry of certificate {SerialNumber}", issued.SerialNumber);
            return false;
        }
    }

    /// <summary>
    /// Invariant: no certificate is handed out that the audit trail does not hold. A failed append surfaces as "signed
    /// but not recorded", so a keyed request keeps its claim and its retry (or the repair pass) appends it.
    /// </summary>
    private async Task AuditIssuedAsync(CertificateRecord issued, CancellationToken cancellationToken)
    {
        try
        {
            await audit.AppendAsync(IssuedEntry(issued), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Certificate {SerialNumber} for request {RequestId} is not in the audit trail", issued.SerialNumber, issued.RequestId);
            throw new CertificateNotRecordedException(issued.SerialNumber, e);
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

    /// <summary>The audit entry of an issued certificate; its once key lets a retry append it without a duplicate.</summary>
    public static AuditEntry IssuedEntry(CertificateRecord issued) => AuditEntry.Succeeded(AuditActions.Issue) with
    {
        RequestId = issued.RequestId,
        SerialNumber = issued.SerialNumber,
        Detail = $"ca={issued.IssuerId} profile={issued.Profile} owner={issued.Owner} subject={issued.Subject} notAfter={AuditHash.FormatTime(issued.NotAfter)}"
            + (issued.PredecessorSerial is { } predecessor ? $" renews={predecessor}" : string.Empty),
        OnceKey = "issue:" + issued.SerialNumber,
    };

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

    /// <summary>
    /// The rows derived from a stored certificate, all at once: its expiry index entry and what each
    /// observer keeps (events, renewal index, pre-signed OCSP, inventory). True when all of them were written.
    /// </summary>
    private async Task<bool> DeriveAsync(CertificateRecord issued)
    {
        var writes = observers
            .Select(observer => (Name: observer.GetType().Name, Write: (Func<Task>)(() => observer.OnIssuedAsync(issued, CancellationToken.None))))
            .Prepend(("index", () => certificates.IndexAsync(issued, CancellationToken.None)))
            .Select(async step =>
            {
                try
                {
                    await step.Write().ConfigureAwait(false);
                    return true;
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "{Observer} failed for certificate {SerialNumber}; its journal entry stays open for the issuance repair pass", step.Name, issued.SerialNumber);
                    return false;
                }
            });

        return (await Task.WhenAll(writes).ConfigureAwait(false)).All(done => done);
    }

    /// <summary>The CSR's commonName, else its first DNS name; none when too long for the CN attribute.</summary>
    private static string? CommonName(ParsedCsr csr) =>
        new[] { csr.CommonName, csr.DnsNames.FirstOrDefault() }.FirstOrDefault(n => n is { Length: > 0 and <= MaxCommonNameLength });
}

/// <summary>A reserved serial and what signing it takes: the issuing CA, its signer and the certificate's contents.</summary>
public sealed record Reservation(ReservedSerial Reserved, CertificateAuthority Issuer, Signing.ISigner Signer, LeafTemplate Template)
{
    public string SerialNumber => Reserved.SerialNumber;
}
