using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Audit;

namespace Pki.Core.Authority;

/// <summary>
/// Finishes what a crash (kill -9, a lost host, a storage outage) left of an issuance, from the journal's open entries:
/// a stored certificate gets its derived rows and audit record, a reservation never stored is recorded as never
/// issued. It reads the hours from its cursor through now, each a single-partition read of what is still open, so its
/// cost follows the unfinished issuances, not the estate. A failing hour holds the cursor and the rest go on.
/// </summary>
public sealed class IssuanceRepair(
    IIssuanceJournal journal,
    ICertificateStore certificates,
    CertificateIssuer issuer,
    IAuditTrail audit,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<IssuanceRepair> logger)
{
    /// <summary>How far back the first pass (no cursor yet) looks.</summary>
    public static readonly TimeSpan InitialLookback = TimeSpan.FromDays(2);

    private readonly AuthorityOptions _ca = options.Value.Ca;

    public async Task<IssuanceRepairOutcome> RunAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var settled = now - TimeSpan.FromSeconds(_ca.RepairSettleSeconds);
        var givenUp = now - TimeSpan.FromSeconds(_ca.AbandonAfterSeconds);
        var cursor = await journal.GetCursorAsync(cancellationToken).ConfigureAwait(false) ?? IssuanceJournalEntry.HourOf(now - InitialLookback);
        var outcome = new IssuanceRepairOutcome();
        string? firstIncomplete = null;
        var current = IssuanceJournalEntry.HourOf(now);
        for (var hour = cursor; string.CompareOrdinal(hour, current) <= 0; hour = IssuanceJournalEntry.HourOf(IssuanceJournalEntry.StartOf(hour).AddHours(1)))
        {
            bool complete;
            try
            {
                complete = await RepairHourAsync(hour, settled, givenUp, outcome, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Issuance repair of hour {Hour} failed; the next pass reads it again", hour);
                outcome.FailedHours++;
                complete = false;
            }

            // An hour is done once nothing in it is open and nothing reserved in it can still be in flight.
            if (!complete || IssuanceJournalEntry.StartOf(hour).AddHours(1) > givenUp)
            {
                firstIncomplete ??= hour;
            }
        }

        await journal.SetCursorAsync(firstIncomplete ?? current, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    private async Task<bool> RepairHourAsync(string hour, DateTimeOffset settled, DateTimeOffset givenUp, IssuanceRepairOutcome outcome, CancellationToken cancellationToken)
    {
        var complete = true;
        foreach (var entry in await journal.ListOpenAsync(hour, cancellationToken).ConfigureAwait(false))
        {
            if (entry.OpenedAt > settled)
            {
                complete = false; // in flight: its request is finishing it
                continue;
            }

            var record = await certificates.GetAsync(entry.SerialNumber, cancellationToken).ConfigureAwait(false);
            if (record is null && entry.OpenedAt > givenUp)
            {
                complete = false; // its reservation may still land (a storage retry, a frozen host): keep the entry
                continue;
            }

            if (record is { Status: CertificateStatus.Issuing })
            {
                if (entry.OpenedAt > givenUp)
                {
                    complete = false; // may still be signing
                    continue;
                }

                record = await certificates.AbandonIfIssuingAsync(entry.SerialNumber, cancellationToken).ConfigureAwait(false);
                if (record is { Status: CertificateStatus.Abandoned })
                {
                    await audit.AppendAsync(CertificateIssuer.AbandonedEntry(record.RequestId, record.SerialNumber, "the request stopped before the certificate was stored"), cancellationToken).ConfigureAwait(false);
                    logger.LogWarning("Abandoned reservation {SerialNumber} of request {RequestId}: its request stopped before the certificate was stored", record.SerialNumber, record.RequestId);
                    outcome.Abandoned++;
                }
            }

            if (record is { Status: CertificateStatus.Issued or CertificateStatus.Revoked })
            {
                if (!await issuer.FinishAsync(record, cancellationToken).ConfigureAwait(false))
                {
                    complete = false;
                    continue;
                }

                logger.LogInformation("Finished certificate {SerialNumber} of request {RequestId} after its request stopped", record.SerialNumber, record.RequestId);
                outcome.Finished++;
                continue;
            }

            // Abandoned, or never reserved (a serial collision, or a crash before the reservation landed): nothing to do.
            await journal.CloseAsync(entry, cancellationToken).ConfigureAwait(false);
        }

        return complete;
    }
}
