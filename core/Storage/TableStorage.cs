using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Pki.Core.Storage;

/// <summary>Hands out table clients, creating each table once per process on first use.</summary>
public sealed class TableStorage
{
    private readonly TableServiceClient _service;
    private readonly string _prefix;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);
    private readonly TableBatcher _batcher = new();

    public TableStorage(IOptions<PkiOptions> options, TokenCredential? credential = null)
    {
        var storage = options.Value.Storage;
        _service = StorageClients.Tables(storage, credential);
        _prefix = storage.TablePrefix;
    }

    public Task<TableClient> GetTableAsync(string name, CancellationToken cancellationToken = default) =>
        _tables.GetOrAddRetryingFaults(name, CreateAsync).WaitAsync(cancellationToken);

    /// <summary>
    /// One write, group-committed with concurrent writes to the same partition (<see cref="TableBatcher"/>). Once sent
    /// it is not cancelled: the token only stops the wait for the table.
    /// </summary>
    public async Task<ETag> WriteAsync(string name, TableTransactionAction action, CancellationToken cancellationToken = default)
    {
        var table = await GetTableAsync(name, cancellationToken).ConfigureAwait(false);
        return await _batcher.WriteAsync(table, action).ConfigureAwait(false);
    }

    /// <summary>A group-committed insert; null when an entity with its keys exists (409).</summary>
    public async Task<ETag?> TryAddAsync(string name, ITableEntity entity, CancellationToken cancellationToken = default)
    {
        try
        {
            return await WriteAsync(name, new TableTransactionAction(TableTransactionActionType.Add, entity), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }
    }

    /// <summary>A group-committed replace if the entity is still at <paramref name="ifMatch"/>; null when it changed or is gone (412, 404).</summary>
    public async Task<ETag?> TryReplaceAsync(string name, ITableEntity entity, ETag ifMatch, CancellationToken cancellationToken = default)
    {
        try
        {
            return await WriteAsync(name, new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, ifMatch), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return null;
        }
    }

    /// <summary>A group-committed insert-or-replace.</summary>
    public Task<ETag> UpsertAsync(string name, ITableEntity entity, CancellationToken cancellationToken = default) =>
        WriteAsync(name, new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity), cancellationToken);

    /// <summary>A group-committed delete; an entity already gone is not an error.</summary>
    public Task DeleteAsync(string name, string partitionKey, string rowKey, CancellationToken cancellationToken = default) =>
        TryDeleteAsync(name, partitionKey, rowKey, ETag.All, cancellationToken);

    /// <summary>A group-committed delete if the entity is still at <paramref name="ifMatch"/>; false when it changed or is gone (412, 404).</summary>
    public async Task<bool> TryDeleteAsync(string name, string partitionKey, string rowKey, ETag ifMatch, CancellationToken cancellationToken = default)
    {
        try
        {
            await WriteAsync(name, new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partitionKey, rowKey), ifMatch), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    private async Task<TableClient> CreateAsync(string name)
    {
        var client = _service.GetTableClient(_prefix + name);
        await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        return client;
    }
}
