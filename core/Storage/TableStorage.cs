using System.Collections.Concurrent;
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

    public TableStorage(IOptions<PkiOptions> options, TokenCredential? credential = null)
    {
        var storage = options.Value.Storage;
        _service = StorageClients.Tables(storage, credential);
        _prefix = storage.TablePrefix;
    }

    public Task<TableClient> GetTableAsync(string name, CancellationToken cancellationToken = default) =>
        _tables.GetOrAddRetryingFaults(name, CreateAsync).WaitAsync(cancellationToken);

    private async Task<TableClient> CreateAsync(string name)
    {
        var client = _service.GetTableClient(_prefix + name);
        await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        return client;
    }
}
