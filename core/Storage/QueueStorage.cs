using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Core;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Pki.Core.Storage;

/// <summary>
/// Hands out queue clients (creating each queue once per process) and sends JSON messages, base64-encoded
/// as the Functions host's queue trigger expects by default.
/// </summary>
public sealed class QueueStorage
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly QueueServiceClient _service;
    private readonly string _prefix;
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queues = new(StringComparer.Ordinal);

    public QueueStorage(IOptions<PkiOptions> options, TokenCredential? credential = null)
    {
        var storage = options.Value.Storage;
        _service = StorageClients.Queues(storage, credential);
        _prefix = storage.TablePrefix;
    }

    public Task<QueueClient> GetQueueAsync(string name, CancellationToken cancellationToken = default) =>
        _queues.GetOrAddRetryingFaults(name, CreateAsync).WaitAsync(cancellationToken);

    public async Task SendJsonAsync<T>(string queue, T message, CancellationToken cancellationToken = default)
    {
        var client = await GetQueueAsync(queue, cancellationToken).ConfigureAwait(false);
        await client.SendMessageAsync(BinaryData.FromObjectAsJson(message, Json), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task<QueueClient> CreateAsync(string name)
    {
        var client = _service.GetQueueClient(QueueNames.Resolve(_prefix, name));
        await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        return client;
    }
}
