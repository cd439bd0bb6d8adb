using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pki.Core.Acme;

/// <summary>
/// Runs a challenge's first validation attempt on this host as soon as the client asks for it, instead of after the
/// queue's next poll (up to host.json's maxPollingInterval, 2 s). The queue message sent before it is the backup: it
/// becomes visible after <see cref="BackupDelay"/>, finds the attempt done and does nothing, or does the attempt
/// itself when this host stopped (or was too busy to start it). A host that stops waits for the attempts it started.
/// </summary>
public sealed class AcmeValidationStarter(AcmeValidationService validations, ILogger<AcmeValidationStarter> logger) : IHostedService
{
    /// <summary>Attempts running at once on one host; past it the queue does the attempt.</summary>
    public const int MaxRunning = 64;

    private readonly BackgroundTasks _tasks = new(MaxRunning);

    /// <summary>
    /// How long the backup message stays invisible: longer than an attempt can take (each of its connections is bounded
    /// by <paramref name="timeoutSeconds"/>; a TLS-ALPN or DNS attempt makes at most a few), so that it normally finds
    /// the attempt recorded.
    /// </summary>
    public static TimeSpan BackupDelay(int timeoutSeconds) => TimeSpan.FromSeconds(3 * timeoutSeconds);

    /// <summary>Starts the attempt of <paramref name="message"/> in the background; false when too many run (the queue will).</summary>
    public bool TryStart(AcmeValidationMessage message) => _tasks.TryStart(() => GuardAsync(message)) is not null;

    /// <summary>Completes when every attempt started here has finished.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default) => _tasks.WhenIdleAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WhenIdleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Stopping with ACME validations unfinished; their queue messages do them");
        }
    }

    private async Task GuardAsync(AcmeValidationMessage message)
    {
        try
        {
            await validations.ValidateAsync(message).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Validation of {AuthorizationId} {ChallengeType} on this host failed; its queue message tries again", message.AuthorizationId, message.ChallengeType);
        }
    }
}
