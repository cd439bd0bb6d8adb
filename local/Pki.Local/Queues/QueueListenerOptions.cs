using Azure.Storage.Queues;

namespace Pki.Local.Queues;

/// <summary>
/// How queue functions poll and retry: host.json's <c>extensions.queues</c>, with the Functions host's defaults
/// and limits. Bound from host.json by the dev host; tests configure their own.
/// </summary>
public sealed class QueueListenerOptions
{
    /// <summary>Where the settings live in host.json, as a configuration path.</summary>
    public const string HostJsonSection = "extensions:queues";

    /// <summary>The host's shortest wait between polls of an empty queue, where the backoff starts.</summary>
    public static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    // Storage returns at most 32 messages per receive.
    private const int MaxBatchSize = 32;

    /// <summary>Messages received per poll, 1 to 32.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>
    /// The next batch is fetched once no more than this many messages are in flight; unset, half the batch size
    /// (the host multiplies that by the vCPUs of a dedicated or premium plan; the dev host counts one).
    /// </summary>
    public int? NewBatchThreshold { get; set; }

    /// <summary>The longest wait between polls of an empty queue (the host's default is a minute).</summary>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a message that failed stays invisible before its next try.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>Tries before a message moves to the poison queue.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How message bodies are stored: base64 (the host's default) or none (plain text).</summary>
    public QueueMessageEncoding MessageEncoding { get; set; } = QueueMessageEncoding.Base64;

    /// <summary>
    /// How long a received message stays invisible while its function runs, renewed at half-time (the host's fixed
    /// ten minutes; host.json cannot change it, tests can).
    /// </summary>
    internal TimeSpan ProcessingVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(10);

    internal int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2;

    /// <summary>Refuses what the Functions host refuses at start-up, naming the host.json setting.</summary>
    /// <exception cref="InvalidOperationException">A setting is out of range.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        if (BatchSize is < 1 or > MaxBatchSize)
        {
            errors.Add($"batchSize must be 1 to {MaxBatchSize}; got {BatchSize}.");
        }

        if (NewBatchThreshold < 0)
        {
            errors.Add($"newBatchThreshold must not be negative; got {NewBatchThreshold}.");
        }

        if (MaxPollingInterval < MinPollingInterval)
        {
            errors.Add($"maxPollingInterval must be at least {MinPollingInterval}; got {MaxPollingInterval}.");
        }

        // Storage takes a visibility timeout of whole seconds up to seven days.
        if (VisibilityTimeout < TimeSpan.Zero || VisibilityTimeout > TimeSpan.FromDays(7))
        {
            errors.Add($"visibilityTimeout must be 0 to 7 days; got {VisibilityTimeout}.");
        }

        if (MaxDequeueCount < 1)
        {
            errors.Add($"maxDequeueCount must be at least 1; got {MaxDequeueCount}.");
        }

        if (!Enum.IsDefined(MessageEncoding))
        {
            errors.Add($"messageEncoding must be base64 or none; got {MessageEncoding}.");
        }

        if (ProcessingVisibilityTimeout < TimeSpan.FromSeconds(2))
        {
            errors.Add($"the processing visibility timeout must be at least 2 seconds; got {ProcessingVisibilityTimeout}.");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("host.json extensions.queues: " + string.Join(" ", errors));
        }
    }
}
