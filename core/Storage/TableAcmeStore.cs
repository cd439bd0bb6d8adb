using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Pki.Core.Acme;

namespace Pki.Core.Storage;

/// <summary>
/// ACME state in Table Storage. Each record is one entity whose <c>Data</c> column holds the record as JSON; its
/// partition is its own id, so every read is a point read and concurrent orders never share a partition. Used nonces
/// are partitioned by issue hour and a shard, so that the sweep drops whole expired hours.
/// </summary>
public sealed class TableAcmeStore(TableStorage storage) : IAcmeStore
{
    private const string Row = "r";
    private const int ConcurrentChangeAttempts = 5;
    private const string NonceKeyPartition = "key";
    private const int SweepChunk = 500;

    // Beside the certificates' rows (partitions named by hex serials): one row per early-renewal scope.
    private const string ScopePartitionPrefix = "renew-early-";
    private const string KeyPartitionPrefix = "key-";
    private const string TeamPartitionPrefix = "team-";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<byte[]> GetOrAddNonceKeyAsync(byte[] candidate, CancellationToken cancellationToken = default)
    {
        // The key's row sorts after every hour partition ("k" after digits), so the sweep never reaches it.
        if (await storage.TryAddAsync(AcmeTableNames.Nonces, new TableEntity(NonceKeyPartition, Row) { ["Key"] = candidate }, cancellationToken).ConfigureAwait(false) is not null)
        {
            return candidate;
        }

        var table = await storage.GetTableAsync(AcmeTableNames.Nonces, cancellationToken).ConfigureAwait(false);
        var stored = await table.GetEntityAsync<TableEntity>(NonceKeyPartition, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return stored.Value.GetBinary("Key") ?? throw new InvalidOperationException($"The ACME nonce key row in '{AcmeTableNames.Nonces}' has no key.");
    }

    public async Task<bool> TryUseNonceAsync(string nonce, DateTimeOffset issuedAt, CancellationToken cancellationToken = default) =>
        // Group-committed with other hosts' and requests' uses of the same partition; a replay in the same moment is
        // a second insert of the same row, which the batcher sends apart, and storage refuses (409).
        await storage.TryAddAsync(AcmeTableNames.Nonces, new TableEntity(NoncePartition(nonce, issuedAt), nonce), cancellationToken).ConfigureAwait(false) is not null;

    public async Task<int> DeleteUsedNoncesBeforeAsync(DateTimeOffset hour, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(AcmeTableNames.Nonces, cancellationToken).ConfigureAwait(false);
        var before = HourPrefix(hour);
        var deleted = 0;
        var pending = new List<Task>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo(before) < 0, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            // Group-committed by partition (an hour's shard); one already gone, swept by another host, is no error.
            pending.Add(storage.DeleteAsync(AcmeTableNames.Nonces, row.PartitionKey, row.RowKey, cancellationToken));
            deleted++;
            if (pending.Count == SweepChunk)
            {
                await Task.WhenAll(pending).ConfigureAwait(false);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        return deleted;
    }

    public Task<Versioned<AcmeAccount>?> GetAccountAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<AcmeAccount>(AcmeTableNames.Accounts, id, cancellationToken);

    public async Task<string?> FindAccountIdByKeyAsync(string thumbprint, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(AcmeTableNames.Accounts, cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(KeyPartitionPrefix + thumbprint, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value!.GetString("AccountId") : null;
    }

    public Task AddAccountAsync(AcmeAccount account, CancellationToken cancellationToken = default) =>
        AddAsync(AcmeTableNames.Accounts, account.Id, account, cancellationToken);

    public async Task<bool> TryAddAccountKeyAsync(string thumbprint, string accountId, CancellationToken cancellationToken = default) =>
        await storage.TryAddAsync(AcmeTableNames.Accounts, new TableEntity(KeyPartitionPrefix + thumbprint, Row) { ["AccountId"] = accountId }, cancellationToken).ConfigureAwait(false) is not null;

    public async Task<bool> TryRemoveAccountKeyAsync(string thumbprint, string accountId, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(AcmeTableNames.Accounts, cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(KeyPartitionPrefix + thumbprint, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!found.HasValue)
        {
            return true;
        }

        if (found.Value!.GetString("AccountId") != accountId)
        {
            return false;
        }

        // Conditional on the row read: a row that another key change claimed meanwhile stays.
        return await storage.TryDeleteAsync(AcmeTableNames.Accounts, KeyPartitionPrefix + thumbprint, Row, found.Value.ETag, cancellationToken).ConfigureAwait(false)
            || await FindAccountIdByKeyAsync(thumbprint, cancellationToken).ConfigureAwait(false) is null;
    }

    public Task DeleteAccountAsync(string id, CancellationToken cancellationToken = default) =>
        storage.DeleteAsync(AcmeTableNames.Accounts, id, Row, cancellationToken);

    public Task<bool> TryReplaceAccountAsync(AcmeAccount account, string version, CancellationToken cancellationToken = default) =>
        TryReplaceAsync(AcmeTableNames.Accounts, account.Id, account, version, cancellationToken);

    public async Task<bool> TryAddEabAsync(EabCredential credential, CancellationToken cancellationToken = default)
    {
        if (await storage.TryAddAsync(AcmeTableNames.Eab, Entity(credential.Kid, credential), cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }

        await storage.UpsertAsync(AcmeTableNames.Eab, new TableEntity(TeamPartitionPrefix + credential.Team, credential.Kid), cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<Versioned<EabCredential>?> GetEabAsync(string kid, CancellationToken cancellationToken = default) =>
        GetAsync<EabCredential>(AcmeTableNames.Eab, kid, cancellationToken);

    public Task<bool> TryReplaceEabAsync(EabCredential credential, string version, CancellationToken cancellationToken = default) =>
        TryReplaceAsync(AcmeTableNames.Eab, credential.Kid, credential, version, cancellationToken);

    public async Task<IReadOnlyList<EabCredential>> ListEabAsync(string team, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(AcmeTableNames.Eab, cancellationToken).ConfigureAwait(false);
        var list = new List<EabCredential>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == TeamPartitionPrefix + team, select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (await GetEabAsync(row.RowKey, cancellationToken).ConfigureAwait(false) is { } credential)
            {
                list.Add(credential.Value);
            }
        }

        return list;
    }

    public Task AddAuthorizationAsync(AcmeAuthorization authorization, CancellationToken cancellationToken = default) =>
        AddAsync(AcmeTableNames.Authorizations, authorization.Id, authorization, cancellationToken);

    public Task<Versioned<AcmeAuthorization>?> GetAuthorizationAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<AcmeAuthorization>(AcmeTableNames.Authorizations, id, cancellationToken);

    public Task<bool> TryReplaceAuthorizationAsync(AcmeAuthorization authorization, string version, CancellationToken cancellationToken = default) =>
        TryReplaceAsync(AcmeTableNames.Authorizations, authorization.Id, authorization, version, cancellationToken);

    public Task AddOrderAsync(AcmeOrder order, CancellationToken cancellationToken = default) =>
        AddAsync(AcmeTableNames.Orders, order.Id, order, cancellationToken);

    public Task<Versioned<AcmeOrder>?> GetOrderAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<AcmeOrder>(AcmeTableNames.Orders, id, cancellationToken);

    public Task<bool> TryReplaceOrderAsync(AcmeOrder order, string version, CancellationToken cancellationToken = default) =>
        TryReplaceAsync(AcmeTableNames.Orders, order.Id, order, version, cancellationToken);

    // An add, not an upsert: a finalize retried after the first recorded it must not clear a later replacement mark.
    public Task RecordCertificateAsync(string serialNumber, string accountId, string orderId, CancellationToken cancellationToken = default) =>
        storage.TryAddAsync(AcmeTableNames.Certificates, Entity(serialNumber, new AcmeIssuedCertificate(serialNumber, accountId, orderId)), cancellationToken);

    // Conditional on the version read; a version lost to another field's change (renew early) is read again.
    public async Task<bool> TryMarkReplacedAsync(string serialNumber, string orderId, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < ConcurrentChangeAttempts; attempt++)
        {
            var found = await GetAsync<AcmeIssuedCertificate>(AcmeTableNames.Certificates, serialNumber, cancellationToken).ConfigureAwait(false);
            if (found is not { Value.ReplacedByOrderId: null })
            {
                return false;
            }

            if (await TryReplaceAsync(AcmeTableNames.Certificates, serialNumber, found.Value with { ReplacedByOrderId = orderId }, found.Version, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    public async Task<AcmeIssuedCertificate?> TryMarkRenewEarlyAsync(string serialNumber, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < ConcurrentChangeAttempts; attempt++)
        {
            var found = await GetAsync<AcmeIssuedCertificate>(AcmeTableNames.Certificates, serialNumber, cancellationToken).ConfigureAwait(false);
            if (found is null || found.Value.RenewEarlyAt is not null)
            {
                return found?.Value;
            }

            var marked = found.Value with { RenewEarlyAt = at };
            if (await TryReplaceAsync(AcmeTableNames.Certificates, serialNumber, marked, found.Version, cancellationToken).ConfigureAwait(false))
            {
                return marked;
            }
        }

        throw new InvalidOperationException($"ACME certificate {serialNumber} kept changing while it was marked for early renewal.");
    }

    public Task SetRenewEarlyScopeAsync(string scope, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        storage.UpsertAsync(AcmeTableNames.Certificates, Entity(ScopePartitionPrefix + scope, new RenewEarlyScope(at)), cancellationToken);

    public async Task<DateTimeOffset?> GetRenewEarlyScopeAsync(string scope, CancellationToken cancellationToken = default) =>
        (await GetAsync<RenewEarlyScope>(AcmeTableNames.Certificates, ScopePartitionPrefix + scope, cancellationToken).ConfigureAwait(false))?.Value.At;

    public async Task<AcmeIssuedCertificate?> FindCertificateAsync(string serialNumber, CancellationToken cancellationToken = default) =>
        (await GetAsync<AcmeIssuedCertificate>(AcmeTableNames.Certificates, serialNumber, cancellationToken).ConfigureAwait(false))?.Value;

    /// <summary>The nonce's issue hour and its first character: 64 partitions an hour, never one hot one.</summary>
    private static string NoncePartition(string nonce, DateTimeOffset issuedAt) => HourPrefix(issuedAt) + "-" + nonce[..1];

    private static string HourPrefix(DateTimeOffset hour) => hour.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);

    private static TableEntity Entity<T>(string id, T value) => new(id, Row) { ["Data"] = JsonSerializer.Serialize(value, Json) };

    private async Task<Versioned<T>?> GetAsync<T>(string tableName, string id, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(tableName, cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(id, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!found.HasValue || found.Value!.GetString("Data") is not { } data)
        {
            return null;
        }

        return new Versioned<T>(JsonSerializer.Deserialize<T>(data, Json)!, found.Value.ETag.ToString());
    }

    private async Task AddAsync<T>(string tableName, string id, T value, CancellationToken cancellationToken)
    {
        if (await storage.TryAddAsync(tableName, Entity(id, value), cancellationToken).ConfigureAwait(false) is null)
        {
            throw new InvalidOperationException($"ACME record {id} exists already in {tableName}; ids are random and never reused.");
        }
    }

    private async Task<bool> TryReplaceAsync<T>(string tableName, string id, T value, string version, CancellationToken cancellationToken) =>
        await storage.TryReplaceAsync(tableName, Entity(id, value), new ETag(version), cancellationToken).ConfigureAwait(false) is not null;

    private sealed record RenewEarlyScope(DateTimeOffset At);
}
