using System.Collections.Concurrent;
using Pki.Core.Authority;

namespace Pki.Tests.Infrastructure;

/// <summary>A fake certificate store whose reservations and writes can be made to fail on purpose.</summary>
public sealed class InMemoryCertificateStore : ICertificateStore
{
    public ConcurrentDictionary<string, CertificateRecord> Records { get; } = new();

    /// <summary>How many upcoming reservations report a serial collision.</summary>
    public int CollisionsToReport { get; set; }

    public int Reservations { get; private set; }

    /// <summary>Throw from MarkIssued; with <see cref="WriteBeforeFailing"/> the write lands first (a lost reply).</summary>
    public bool FailMarkIssued { get; set; }

    public bool WriteBeforeFailing { get; set; }

    public Exception? FailReserve { get; set; }

    /// <summary>When set, the next TryMarkIssued signals <see cref="MarkIssuedStalled"/> and waits for this task (a host frozen after signing).</summary>
    public Task? StallNextMarkIssued { get; set; }

    public TaskCompletionSource MarkIssuedStalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When set, the next reservation waits for this task first (a stalled request).</summary>
    public Task? StallNextReserve { get; set; }

    public async Task<string?> TryReserveAsync(CertificateRecord record, CancellationToken cancellationToken = default)
    {
        if (StallNextReserve is { } stall)
        {
            StallNextReserve = null;
            await stall;
        }

        Reservations++;
        if (FailReserve is not null)
        {
            throw FailReserve;
        }

        if (CollisionsToReport > 0)
        {
            CollisionsToReport--;
            return null;
        }

        return Records.TryAdd(record.SerialNumber, record) ? "reserved" : null;
    }

    public Task<string?> TryLinkSuccessorAsync(string predecessorSerial, string successorSerial, CancellationToken cancellationToken = default)
    {
        if (!Records.TryGetValue(predecessorSerial, out var record))
        {
            return Task.FromResult<string?>(null);
        }

        if (record.SuccessorSerial is { } existing)
        {
            return Task.FromResult<string?>(existing);
        }

        Records[predecessorSerial] = record with { SuccessorSerial = successorSerial };
        return Task.FromResult<string?>(successorSerial);
    }

    /// <summary>Serials whose expiry index entry was written.</summary>
    public ConcurrentDictionary<string, int> Indexed { get; } = new();

    public Task IndexAsync(CertificateRecord record, CancellationToken cancellationToken = default)
    {
        Indexed.AddOrUpdate(record.SerialNumber, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public async Task<bool> TryMarkIssuedAsync(CertificateRecord record, string reservedVersion, CancellationToken cancellationToken = default)
    {
        if (StallNextMarkIssued is { } stall)
        {
            StallNextMarkIssued = null;
            MarkIssuedStalled.SetResult();
            await stall;
        }

        if (FailMarkIssued && !WriteBeforeFailing)
        {
            throw new IOException("storage unavailable");
        }

        lock (Records)
        {
            if (Records.GetValueOrDefault(record.SerialNumber)?.Status is not CertificateStatus.Issuing)
            {
                return false;
            }

            Records[record.SerialNumber] = record;
        }

        return FailMarkIssued ? throw new IOException("reply lost") : true;
    }

    public Task<CertificateRecord?> AbandonIfIssuingAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        lock (Records)
        {
            var record = Records.GetValueOrDefault(serialNumber);
            if (record is { Status: CertificateStatus.Issuing })
            {
                record = Records[serialNumber] = record with { Status = CertificateStatus.Abandoned };
            }

            return Task.FromResult(record);
        }
    }

    public Task RecordLateSignatureAsync(CertificateRecord record, CancellationToken cancellationToken = default)
    {
        Records[record.SerialNumber] = record with { Status = CertificateStatus.Abandoned };
        return Task.CompletedTask;
    }

    public Task<CertificateRecord?> GetAsync(string serialNumber, CancellationToken cancellationToken = default) =>
        Task.FromResult(Records.GetValueOrDefault(serialNumber));

    public Task<RevokeResult?> TryRevokeAsync(string serialNumber, DateTimeOffset revokedAt, RevocationReason reason, CancellationToken cancellationToken = default)
    {
        lock (Records)
        {
            var record = Records.GetValueOrDefault(serialNumber);
            RevokeResult? result = record?.Status switch
            {
                CertificateStatus.Revoked => new RevokeResult(record, Changed: false),
                CertificateStatus.Issued => new RevokeResult(Records[serialNumber] = record with { Status = CertificateStatus.Revoked, RevokedAt = revokedAt, RevocationReason = reason }, Changed: true),
                _ => null,
            };
            return Task.FromResult(result);
        }
    }

    /// <summary>Every match at once, in serial order; a token is the serial to start after.</summary>
    public Task<CertificatePage> QueryAsync(CertificateQuery query, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var matches = Records.Values
            .Where(r => query.Status is { } status ? r.Status == status : r.Status is CertificateStatus.Issued or CertificateStatus.Revoked)
            .Where(r => (query.Team is null || r.Team == query.Team) && (query.Owner is null || r.Owner == query.Owner) && (query.Profile is null || r.Profile == query.Profile))
            .Where(r => (query.ExpiresBefore is not { } before || r.NotAfter < before) && (query.ExpiresAfter is not { } after || r.NotAfter > after))
            .Where(r => continuationToken is null || string.CompareOrdinal(r.SerialNumber, continuationToken) > 0)
            .OrderBy(r => r.SerialNumber, StringComparer.Ordinal)
            .ToArray();
        var page = matches.Take(pageSize).ToArray();
        return Task.FromResult(new CertificatePage(page, matches.Length > pageSize ? page[^1].SerialNumber : null));
    }
}
