using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pki.Core.Authority;

/// <summary>
/// Runs the work that follows an answered issuance (the derived rows, then closing the journal entry) beside the
/// requests, so a certificate is answered once it is stored and audited. Bounded: past <see cref="MaxPending"/> at once
/// the issuing request does its own follow-up before it answers, so a flood slows down instead of piling up memory.
/// A stop waits for what is running; a crash leaves the journal entries open, and the issuance repair pass finishes
/// them (<see cref="AuthorityOptions.RepairSettleSeconds"/> after their reservation).
/// </summary>
public sealed class IssuanceFollowUp(ILogger<IssuanceFollowUp> logger) : IHostedService
{
    public const int MaxPending = 256;

    private readonly BackgroundTasks _tasks = new(MaxPending);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _bySerial = new(StringComparer.Ordinal);

    /// <summary>Follow-ups started and not yet finished.</summary>
    public int Pending => _tasks.Count;

    /// <summary>Starts <paramref name="work"/> in the background, or runs it now when <see cref="MaxPending"/> are running.</summary>
    public async Task RunAsync(string serialNumber, Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_tasks.TryStart(() => GuardAsync(serialNumber, work)) is not { } task)
        {
            await GuardAsync(serialNumber, work).ConfigureAwait(false);
            return;
        }

        lock (_gate)
        {
            _bySerial[serialNumber] = task;
        }

        _ = task.ContinueWith(Forget, serialNumber, TaskScheduler.Default);
    }

    /// <summary>
    /// Completes when the follow-up of <paramref name="serialNumber"/> has run (at once when none runs here): what is
    /// recorded about a certificate after its issuance (a renewal's "renewed" event) then follows its "issued" event.
    /// </summary>
    public Task WhenFinishedAsync(string serialNumber)
    {
        lock (_gate)
        {
            return _bySerial.TryGetValue(serialNumber, out var task) ? task : Task.CompletedTask;
        }
    }

    /// <summary>Completes when no follow-up is running (tests, and a host that stops).</summary>
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
            logger.LogWarning("Stopping with {Pending} issuance follow-ups unfinished; the issuance repair pass finishes them", Pending);
        }
    }

    private async Task GuardAsync(string serialNumber, Func<Task> work)
    {
        using var phase = Storage.StorageMetrics.Phase(Storage.StorageMetrics.FollowUpPhase);
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The follow-up of certificate {SerialNumber} failed; the issuance repair pass finishes it", serialNumber);
        }
    }

    private void Forget(Task task, object? serialNumber)
    {
        lock (_gate)
        {
            if (_bySerial.TryGetValue((string)serialNumber!, out var current) && current == task)
            {
                _bySerial.Remove((string)serialNumber!);
            }
        }
    }
}
