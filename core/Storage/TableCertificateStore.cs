using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Authority;

namespace Pki.Core.Storage;

/// <summary>
/// Certificates in the partition their serial names, a row per serial (one point read), plus an expiry index partitioned
/// by expiry day, never the whole table. (The renewal index entry is written by Renewal.RenewalIndexer, an issuance observer.)
/// </summary>
public sealed class TableCertificateStore(TableStorage storage) : ICertificateStore
{
    public const string ExpiryDayFormat = "yyyyMMdd";

    public async Task<string?> TryReserveAsync(CertificateRecord record, CancellationToken cancellationToken = default) =>
        (await storage.TryAddAsync(TableNames.Certificates, ToEntity(record, SerialKeys.Of(record.SerialNumber)), cancellationToken).ConfigureAwait(false))?.ToString();

    public async Task<bool> TryMarkIssuedAsync(CertificateRecord record, string reservedVersion, CancellationToken cancellationToken = default)
    {
        var stored = await storage.TryReplaceAsync(TableNames.Certificates, ToEntity(record, SerialKeys.Of(record.SerialNumber)), new ETag(reservedVersion), cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            return true;
        }

        // Either a retry abandoned the reservation, or our own write landed and its answer was lost (the client
        // retried it): the record says which.
        var current = await GetAsync(record.SerialNumber, cancellationToken).ConfigureAwait(false);
        return current is { Status: CertificateStatus.Issued or CertificateStatus.Revoked, CertificateDer: { } der } && der.AsSpan().SequenceEqual(record.CertificateDer);
    }

    public async Task IndexAsync(CertificateRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entry = new TableEntity(ExpiryPartition(record.NotAfter), record.SerialNumber)
        {
            ["IssuerId"] = record.IssuerId,
            ["Profile"] = record.Profile,
            ["Owner"] = record.Owner,
            ["NotAfter"] = record.NotAfter,
        };
        await storage.UpsertAsync(TableNames.ExpiryIndex, entry, cancellationToken).ConfigureAwait(false);
    }

    public Task<CertificateRecord?> AbandonIfIssuingAsync(string serialNumber, CancellationToken cancellationToken = default) =>
        ChangeAsync<CertificateRecord>(serialNumber, record =>
        {
            // Changed under us (its signer stored it meanwhile): read again, and it is returned as issued.
            if (record.Status is not CertificateStatus.Issuing)
            {
                return (null, record);
            }

            var abandoned = record with { Status = CertificateStatus.Abandoned };
            return (abandoned, abandoned);
        }, cancellationToken);

    public async Task RecordLateSignatureAsync(CertificateRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var table = await storage.GetTableAsync(TableNames.Certificates, cancellationToken).ConfigureAwait(false);
        var keys = await SerialKeys.FindAsync(table, record.SerialNumber, cancellationToken).ConfigureAwait(false) is { } found ? (found.PartitionKey, found.RowKey) : SerialKeys.Of(record.SerialNumber);
        await table.UpdateEntityAsync(ToEntity(record with { Status = CertificateStatus.Abandoned }, keys), ETag.All, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CertificateRecord?> GetAsync(string serialNumber, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(TableNames.Certificates, cancellationToken).ConfigureAwait(false);
        return await SerialKeys.FindAsync(table, serialNumber, cancellationToken).ConfigureAwait(false) is { } entity ? FromEntity(entity) : null;
    }

    public Task<string?> TryLinkSuccessorAsync(string predecessorSerial, string successorSerial, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(predecessorSerial);
        ArgumentException.ThrowIfNullOrEmpty(successorSerial);

        // Only a certificate still in use gets a successor; a revoked one (a compromised key, say) never does.
        // Changed under us (a revoke, or another renewal): read again.
        return ChangeAsync<string>(predecessorSerial, record => record switch
        {
            { SuccessorSerial: { } linked } => (null, linked),
            { Status: CertificateStatus.Issued } => (record with { SuccessorSerial = successorSerial }, successorSerial),
            _ => (null, null),
        }, cancellationToken);
    }

    public Task<RevokeResult?> TryRevokeAsync(string serialNumber, DateTimeOffset revokedAt, RevocationReason reason, CancellationToken cancellationToken = default) =>
        ChangeAsync<RevokeResult>(serialNumber, record =>
        {
            // Changed under us (a concurrent revoke): read again.
            switch (record.Status)
            {
                case CertificateStatus.Revoked:
                    return (null, new RevokeResult(record, Changed: false));
                case CertificateStatus.Issued:
                    var revoked = record with { Status = CertificateStatus.Revoked, RevokedAt = revokedAt, RevocationReason = reason };
                    return (revoked, new RevokeResult(revoked, Changed: true));
                default:
                    return (null, null);
            }
        }, cancellationToken);

    public static string ExpiryPartition(DateTimeOffset notAfter) => notAfter.UtcDateTime.ToString(ExpiryDayFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads a record and writes the change <paramref name="decide"/> asks for, conditional on the record not changing
    /// meanwhile; a record changed under us is read and decided again. Null when there is no record.
    /// </summary>
    /// <param name="decide">The record to write (null: nothing to write) and what the caller gets back.</param>
    private async Task<T?> ChangeAsync<T>(string serialNumber, Func<CertificateRecord, (CertificateRecord? Write, T? Result)> decide, CancellationToken cancellationToken)
        where T : class
    {
        var table = await storage.GetTableAsync(TableNames.Certificates, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var entity = await SerialKeys.FindAsync(table, serialNumber, cancellationToken).ConfigureAwait(false);
            if (entity is null)
            {
                return null;
            }

            var (write, result) = decide(FromEntity(entity));
            if (write is null || await table.TryUpdateEntityAsync(ToEntity(write, (entity.PartitionKey, entity.RowKey)), entity.ETag, cancellationToken).ConfigureAwait(false) is not null)
            {
                return result;
            }
        }
    }

    private static TableEntity ToEntity(CertificateRecord r, (string PartitionKey, string RowKey) keys) => new(keys.PartitionKey, keys.RowKey)
    {
        ["IssuerId"] = r.IssuerId,
        ["Status"] = r.Status.ToString(),
        ["Profile"] = r.Profile,
        ["Owner"] = r.Owner,
        ["Subject"] = r.Subject,
        ["NotBefore"] = r.NotBefore,
        ["NotAfter"] = r.NotAfter,
        ["RequestId"] = r.RequestId,
        ["CreatedAt"] = r.CreatedAt,
        ["CertificateDer"] = r.CertificateDer,
        ["IssuedAt"] = r.IssuedAt,
        ["CrlShard"] = r.CrlShard,
        ["RevokedAt"] = r.RevokedAt,
        ["RevocationReason"] = r.RevocationReason?.ToString(),
        ["AutoRenew"] = r.AutoRenew,
        ["PredecessorSerial"] = r.PredecessorSerial,
        ["SuccessorSerial"] = r.SuccessorSerial,
        ["Team"] = r.Team,
    };

    private static CertificateRecord FromEntity(TableEntity e) => new(
        e.RowKey.Length > 0 ? e.RowKey : e.PartitionKey,
        e.GetString("IssuerId"),
        Enum.Parse<CertificateStatus>(e.GetString("Status")),
        e.GetString("Profile"),
        e.GetString("Owner"),
        e.GetString("Subject"),
        e.GetDateTimeOffset("NotBefore")!.Value,
        e.GetDateTimeOffset("NotAfter")!.Value,
        e.GetString("RequestId"),
        e.GetDateTimeOffset("CreatedAt")!.Value,
        e.GetBinary("CertificateDer"),
        e.GetDateTimeOffset("IssuedAt"),
        e.GetInt32("CrlShard"),
        e.GetDateTimeOffset("RevokedAt"),
        e.GetString("RevocationReason") is { } reason ? Enum.Parse<RevocationReason>(reason) : null,
        e.GetBoolean("AutoRenew"),
        e.GetString("PredecessorSerial"),
        e.GetString("SuccessorSerial"),
        e.GetString("Team"));

    private const string ListTokenMark = "crt1 ";

    public async Task<CertificatePage> QueryAsync(CertificateQuery query, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var table = await storage.GetTableAsync(TableNames.Certificates, cancellationToken).ConfigureAwait(false);
        var from = continuationToken is null ? null : ContinuationTokens.Unwrap(ListTokenMark, continuationToken);
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(ListFilter(query), pageSize, cancellationToken: cancellationToken).AsPages(from, pageSize).ConfigureAwait(false))
            {
                return new CertificatePage([.. page.Values.Select(FromEntity)], page.ContinuationToken is { } next ? ContinuationTokens.Wrap(ListTokenMark, next) : null);
            }
        }
        catch (RequestFailedException e) when (e.Status == 400 && continuationToken is not null)
        {
            throw ContinuationTokens.Invalid();
        }

        return new CertificatePage([], null);
    }

    /// <summary>
    /// Filters on the records' own properties only (never on the keys, whose layout may change): the status first, so
    /// reservations, abandoned serials and any row that is no certificate record stay out.
    /// </summary>
    private static string ListFilter(CertificateQuery q)
    {
        var statuses = q.Status is { } status ? [status] : new[] { CertificateStatus.Issued, CertificateStatus.Revoked };
        var clauses = new List<string> { "(" + string.Join(" or ", statuses.Select(s => TableClient.CreateQueryFilter($"Status eq {s.ToString()}"))) + ")" };
        if (q.Team is { } team)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Team eq {team}"));
        }

        if (q.Owner is { } owner)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Owner eq {owner}"));
        }

        if (q.Profile is { } profile)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Profile eq {profile}"));
        }

        if (q.ExpiresBefore is { } before)
        {
            clauses.Add(TableClient.CreateQueryFilter($"NotAfter lt {before}"));
        }

        if (q.ExpiresAfter is { } after)
        {
            clauses.Add(TableClient.CreateQueryFilter($"NotAfter gt {after}"));
        }

        return string.Join(" and ", clauses);
    }
}
