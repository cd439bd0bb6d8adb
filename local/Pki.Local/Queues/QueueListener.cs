using System.Diagnostics;
using System.Reflection;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Storage;

namespace Pki.Local.Queues;

/// <summary>
/// Runs one queue function on the messages of its queue with the Functions host's semantics: polls with backoff
/// while the queue is empty, receives batches and runs up to batchSize + newBatchThreshold invocations at once,
/// keeps each message invisible while its function runs, deletes it on success, makes it visible again after
/// visibilityTimeout on failure, and moves it to <c>{queue}-poison</c> once it has failed maxDequeueCount times.
/// Each invocation gets a function instance of its own from a fresh DI scope. Waits are in real time, not the
/// injected TimeProvider's: message visibility runs on the storage service's clock, which a fake clock cannot move.
/// </summary>
public sealed class QueueListener : BackgroundService
{
    public const string PoisonSuffix = "-poison";

    /// <summary>The setting the dev host reads the storage connection from, before the trigger's own Connection setting.</summary>
    public const string ConnectionSetting = "Pki:Storage:ConnectionString";

    /// <summary>The setting whose lowercased value prefixes queue names (see <see cref="QueueNames.Resolve"/>).</summary>
    public const string PrefixSetting = "Pki:Storage:TablePrefix";

    // The Functions host's storage connection when a trigger names none.
    private const string DefaultConnection = "AzureWebJobsStorage";

    private readonly QueueFunction _function;
    private readonly QueueClient _queue;
    private readonly QueueClient? _poisonQueue;
    private readonly QueueListenerOptions _options;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger<QueueListener> _logger;
    private readonly PollingBackoff _backoff;
    private volatile bool _poisonQueueExists;

    /// <param name="function">The function to run.</param>
    /// <param name="connectionString">The storage account of the queue.</param>
    /// <param name="queueName">The queue, already resolved (prefixed and lowercased).</param>
    /// <param name="options">Polling and retry settings; validated here.</param>
    /// <param name="scopes">Where each invocation's function instance comes from.</param>
    /// <param name="logger">Where invocations, failures and poison messages are logged.</param>
    public QueueListener(QueueFunction function, string connectionString, string queueName, QueueListenerOptions options, IServiceScopeFactory scopes, ILogger<QueueListener> logger)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _function = function;
        _options = options;
        _scopes = scopes;
        _logger = logger;
        _backoff = new PollingBackoff(QueueListenerOptions.MinPollingInterval, options.MaxPollingInterval);

        // Bodies are decoded here rather than by the client, so a poison message keeps its stored text exactly.
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        _queue = new QueueClient(connectionString, queueName, clientOptions);

        // As the host: no poison queue for a poison queue, nor where the suffix would make the name too long.
        var poisonName = queueName + PoisonSuffix;
        if (!queueName.EndsWith(PoisonSuffix, StringComparison.Ordinal) && poisonName.Length <= 63)
        {
            _poisonQueue = new QueueClient(connectionString, poisonName, clientOptions);
        }
    }

    public QueueFunction Function => _function;

    public string QueueName => _queue.Name;

    /// <summary>Where messages go after maxDequeueCount failures; null for a queue that has none (see the constructor).</summary>
    public string? PoisonQueueName => _poisonQueue?.Name;

    /// <summary>A listener for <paramref name="function"/> configured as the dev host is: storage and prefix from configuration, options from DI.</summary>
    /// <exception cref="InvalidOperationException">No storage connection is configured.</exception>
    public static QueueListener Create(IServiceProvider services, QueueFunction function)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(function);
        var configuration = services.GetRequiredService<IConfiguration>();

        // Our functions name the app setting PkiStorage, which in Azure holds the same account as Pki:Storage:ConnectionString.
        var connectionName = function.Connection ?? DefaultConnection;
        var connectionString = configuration[ConnectionSetting] is { Length: > 0 } configured ? configured : configuration[connectionName];
        if (string.IsNullOrEmpty(connectionString))
        {
            throw new InvalidOperationException(
                $"Queue function {function.Name} needs a storage connection: set {ConnectionSetting} (or {connectionName}, the trigger's connection setting).");
        }

        var queueName = QueueNames.Resolve(configuration[PrefixSetting] ?? string.Empty, function.QueueName);
        return new QueueListener(
            function,
            connectionString,
            queueName,
            services.GetRequiredService<IOptions<QueueListenerOptions>>().Value,
            services.GetRequiredService<IServiceScopeFactory>(),
            services.GetRequiredService<ILogger<QueueListener>>());
    }

    /// <summary>Creates the queue if it is missing, so that the host starts only once its queues exist.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Listening for {FunctionName} on queue {QueueName}", _function.Name, _queue.Name);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Polls until the host stops. Stopping ends the polling and cancels the running invocations' token (as the host
    /// does outside drain mode), then waits for them to end and settles their messages.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var processing = new List<Task>();
        var foundSinceLastWait = false;
        var queueExists = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                QueueMessage[] batch;
                try
                {
                    if (!queueExists)
                    {
                        await _queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
                        queueExists = true;
                    }

                    batch = (await _queue.ReceiveMessagesAsync(_options.BatchSize, _options.ProcessingVisibilityTimeout, stoppingToken).ConfigureAwait(false)).Value;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    // The host backs off on a missing queue or a server error; the dev host backs off on any error and
                    // creates the queue again, so a storage emulator that restarts does not end the listener.
                    queueExists = false;
                    _logger.LogWarning(e, "Polling queue {QueueName} for {FunctionName} failed; polling again after a pause", _queue.Name, _function.Name);
                    batch = [];
                }

                if (batch.Length == 0)
                {
                    try
                    {
                        await Task.Delay(_backoff.Next(foundSinceLastWait), stoppingToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    foundSinceLastWait = false;
                    continue;
                }

                foundSinceLastWait = true;
                processing.AddRange(batch.Select(message => ProcessAsync(message, stoppingToken)));

                // The next batch comes at once, unless more than newBatchThreshold messages are in flight: then when that many are left.
                processing.RemoveAll(t => t.IsCompleted);
                while (processing.Count > _options.EffectiveNewBatchThreshold)
                {
                    processing.Remove(await Task.WhenAny(processing).ConfigureAwait(false));
                }
            }
        }
        finally
        {
            // ProcessAsync never throws; this waits for the invocations to end and their messages to be settled.
            await Task.WhenAll(processing).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(QueueMessage received, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            // A message that has been delivered too often already (its function crashed the host, say) is not run again.
            if (_poisonQueue is not null && received.DequeueCount > _options.MaxDequeueCount)
            {
                await MoveToPoisonQueueAsync(received, received.PopReceipt, "it was delivered more than maxDequeueCount times").ConfigureAwait(false);
                return;
            }

            if (!TryDecode(received, out var message))
            {
                // As the host's decoding-failed handler: straight to the poison queue, stored text unchanged, no tries;
                // without a poison queue it stays invisible.
                var reason = $"its body is not {_options.MessageEncoding}-encoded (see messageEncoding in host.json)";
                if (_poisonQueue is not null)
                {
                    await MoveToPoisonQueueAsync(received, received.PopReceipt, reason).ConfigureAwait(false);
                }
                else
                {
                    _logger.LogWarning(
                        "Message {MessageId} on queue {QueueName} for {FunctionName} was not run: {Reason} (dequeue count {DequeueCount})",
                        received.MessageId, _queue.Name, _function.Name, reason, received.DequeueCount);
                }

                return;
            }

            var lease = new Lease(received.PopReceipt);
            bool succeeded;
            using (var renewal = new CancellationTokenSource())
            {
                var renewing = KeepInvisibleAsync(received.MessageId, lease, renewal.Token);
                try
                {
                    succeeded = await InvokeAsync(message, stoppingToken).ConfigureAwait(false);
                }
                finally
                {
                    await renewal.CancelAsync().ConfigureAwait(false);
                    await renewing.ConfigureAwait(false);
                }
            }

            // Settled even while the host stops: a message whose function ran to the end is not run again.
            if (succeeded)
            {
                await SettleAsync(received, () => _queue.DeleteMessageAsync(received.MessageId, lease.PopReceipt, CancellationToken.None)).ConfigureAwait(false);
            }
            else if (_poisonQueue is null)
            {
                // As the host: without a poison queue a failed message stays invisible, so it cannot fail in a fast loop.
            }
            else if (received.DequeueCount >= _options.MaxDequeueCount)
            {
                await MoveToPoisonQueueAsync(received, lease.PopReceipt, "it failed maxDequeueCount times").ConfigureAwait(false);
            }
            else
            {
                await SettleAsync(received, () => _queue.UpdateMessageAsync(received.MessageId, lease.PopReceipt, visibilityTimeout: _options.VisibilityTimeout, cancellationToken: CancellationToken.None)).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // The message comes back when its visibility runs out; the listener goes on.
            _logger.LogError(e, "Settling message {MessageId} on queue {QueueName} for {FunctionName} failed", received.MessageId, _queue.Name, _function.Name);
        }
    }

    private bool TryDecode(QueueMessage received, out QueueMessage decoded)
    {
        var body = received.Body;
        if (_options.MessageEncoding == QueueMessageEncoding.Base64)
        {
            try
            {
                body = new BinaryData(Convert.FromBase64String(received.Body.ToString()));
            }
            catch (FormatException)
            {
                decoded = received;
                return false;
            }
        }

        decoded = QueuesModelFactory.QueueMessage(
            received.MessageId, received.PopReceipt, body, received.DequeueCount, received.NextVisibleOn, received.InsertedOn, received.ExpiresOn);
        return true;
    }

    /// <summary>Runs the function once; false when it (or binding its arguments) failed, which is logged here.</summary>
    private async Task<bool> InvokeAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        var invocationId = Guid.NewGuid();
        using var logScope = _logger.BeginScope(new Dictionary<string, object> { ["FunctionName"] = _function.Name, ["InvocationId"] = invocationId });
        _logger.LogInformation(
            "Executing {FunctionName} (queue {QueueName}, message {MessageId}, dequeue count {DequeueCount}, id {InvocationId})",
            _function.Name, _queue.Name, message.MessageId, message.DequeueCount, invocationId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var instance = _function.Method.IsStatic ? null : ActivatorUtilities.CreateInstance(scope.ServiceProvider, _function.FunctionType);
            var args = _function.BindArguments(message, cancellationToken);
            if (_function.Method.Invoke(instance, BindingFlags.DoNotWrapExceptions, null, args, null) is Task task)
            {
                await task.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning(
                "Cancelled {FunctionName} after {DurationMs} ms (message {MessageId}, dequeue count {DequeueCount}, id {InvocationId})",
                _function.Name, Elapsed(started), message.MessageId, message.DequeueCount, invocationId);
            return false;
        }
        catch (Exception e)
        {
            _logger.LogError(
                e, "Failed {FunctionName} after {DurationMs} ms (message {MessageId}, dequeue count {DequeueCount}, id {InvocationId})",
                _function.Name, Elapsed(started), message.MessageId, message.DequeueCount, invocationId);
            return false;
        }

        _logger.LogInformation(
            "Executed {FunctionName} in {DurationMs} ms (message {MessageId}, id {InvocationId})",
            _function.Name, Elapsed(started), message.MessageId, invocationId);
        return true;
    }

    /// <summary>
    /// Renews the message's invisibility at half-time while its function runs, as the host does, so a long run is
    /// not delivered twice. An update in flight is never cancelled: its new pop receipt is needed to settle the message.
    /// </summary>
    private async Task KeepInvisibleAsync(string messageId, Lease lease, CancellationToken stop)
    {
        var normal = _options.ProcessingVisibilityTimeout / 2;
        var wait = normal;
        while (true)
        {
            try
            {
                await Task.Delay(wait, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                var receipt = await _queue.UpdateMessageAsync(messageId, lease.PopReceipt, visibilityTimeout: _options.ProcessingVisibilityTimeout, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                lease.PopReceipt = receipt.Value.PopReceipt;
                wait = normal;
            }
            catch (RequestFailedException e) when (IsTakenOverOrGone(e))
            {
                // Another receiver holds the message, or it is gone: there is nothing left to keep.
                _logger.LogWarning(e, "Lost message {MessageId} on queue {QueueName} while {FunctionName} ran", messageId, _queue.Name, _function.Name);
                return;
            }
            catch (Exception e)
            {
                // Try again sooner, before the invisibility runs out.
                _logger.LogWarning(e, "Renewing message {MessageId} on queue {QueueName} failed; trying again", messageId, _queue.Name);
                wait = wait / 2 > TimeSpan.FromMilliseconds(500) ? wait / 2 : TimeSpan.FromMilliseconds(500);
            }
        }
    }

    private async Task MoveToPoisonQueueAsync(QueueMessage received, string popReceipt, string reason)
    {
        var poison = _poisonQueue!;
        if (!_poisonQueueExists)
        {
            await poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            _poisonQueueExists = true;
        }

        // The stored text as it came (the clients do not encode), so the poison message reads like the original.
        await poison.SendMessageAsync(received.Body, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        await SettleAsync(received, () => _queue.DeleteMessageAsync(received.MessageId, popReceipt, CancellationToken.None)).ConfigureAwait(false);
        _logger.LogWarning(
            "Message {MessageId} on queue {QueueName} for {FunctionName} moved to queue {PoisonQueueName}: {Reason} (dequeue count {DequeueCount}, maxDequeueCount {MaxDequeueCount})",
            received.MessageId, _queue.Name, _function.Name, poison.Name, reason, received.DequeueCount, _options.MaxDequeueCount);
    }

    /// <summary>Deletes or releases a message; one that another receiver took over or that is gone needs nothing more, as in the host.</summary>
    private async Task SettleAsync(QueueMessage received, Func<Task> settle)
    {
        try
        {
            await settle().ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (IsTakenOverOrGone(e))
        {
            _logger.LogDebug(e, "Message {MessageId} on queue {QueueName} was taken over or deleted meanwhile", received.MessageId, _queue.Name);
        }
    }

    private static bool IsTakenOverOrGone(RequestFailedException e) =>
        e.Status == 404 || e.ErrorCode == QueueErrorCode.PopReceiptMismatch.ToString();

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>The message's latest pop receipt: each renewal of its invisibility changes it.</summary>
    private sealed class Lease(string popReceipt)
    {
        private string _popReceipt = popReceipt;

        public string PopReceipt
        {
            get => Volatile.Read(ref _popReceipt);
            set => Volatile.Write(ref _popReceipt, value);
        }
    }
}
