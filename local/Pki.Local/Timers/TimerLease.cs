using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;

namespace Pki.Local.Timers;

/// <summary>
/// A timer's lease while this host runs an occurrence (see <see cref="TimerLeases"/>): renewed in the background until
/// disposed, then released. Lease periods run on the storage service's clock, so renewals wait in real time, not on
/// the injected TimeProvider.
/// </summary>
public sealed class TimerLease : IAsyncDisposable
{
    private readonly BlobClient _blob;
    private readonly BlobLeaseClient _lease;
    private readonly string _functionName;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;
    private int _disposed;

    internal TimerLease(BlobClient blob, BlobLeaseClient lease, string functionName, ILogger logger)
    {
        _blob = blob;
        _lease = lease;
        _functionName = functionName;
        _logger = logger;
        _renewing = KeepAsync(_stop.Token);
    }

    /// <summary>The schedule status as the last holder wrote it; null when there is none yet.</summary>
    public TimerScheduleStatus? Status { get; internal set; }

    /// <summary>
    /// Writes the schedule status under the lease: it fails once the lease was lost, so a holder whose lease lapsed
    /// during a long run never overwrites what the host that took over wrote.
    /// </summary>
    public async Task WriteStatusAsync(TimerScheduleStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(status);
        var options = new BlobUploadOptions { Conditions = new BlobRequestConditions { LeaseId = _lease.LeaseId } };
        await _blob.UploadAsync(BinaryData.FromObjectAsJson(status), options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops renewing and releases the lease, so another host may run the next occurrence at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(false);
        _stop.Dispose();
        try
        {
            await _lease.ReleaseAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Lost meanwhile, or storage failing: either way the lease lapses by itself within its period.
            _logger.LogWarning(e, "Releasing the lease of {FunctionName} failed; it lapses within {LeasePeriodSeconds} s", _functionName, TimerLeases.LeasePeriod.TotalSeconds);
        }
    }

    private async Task KeepAsync(CancellationToken stop)
    {
        while (true)
        {
            try
            {
                await Task.Delay(TimerLeases.RenewalInterval, stop).ConfigureAwait(false);
                await _lease.RenewAsync(cancellationToken: stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 409)
            {
                // The lease lapsed and was taken or broken: another host may run the timer now. This run goes on; its status write will fail.
                _logger.LogWarning(e, "Lost the lease of {FunctionName} while it ran; another host may run it meanwhile", _functionName);
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Renewing the lease of {FunctionName} failed; trying again in {RenewalSeconds} s", _functionName, TimerLeases.RenewalInterval.TotalSeconds);
            }
        }
    }
}
