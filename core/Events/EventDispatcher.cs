using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pki.Core.Events;

/// <summary>
/// Moves events from the outbox to the publisher: in time order within each shard (so per certificate), deleting
/// each only after the publisher accepted it. When publishing fails the shard stops where it is and its events
/// wait for the next pass; nothing is dropped. A crash between publish and delete sends an event again with the
/// same id, which Service Bus duplicate detection drops (the local storage queue cannot).
/// Passes may overlap (two hosts whose timer lease lapsed, a manual run beside the timer): each page is claimed
/// before it is sent, and a pass that finds its next page claimed by another leaves that shard to it, so no event
/// is sent by two passes and none overtakes an older one of its shard.
/// </summary>
public sealed class EventDispatcher(
    IEventOutbox outbox,
    ILifecycleEventPublisher publisher,
    IOptions<PkiOptions> options,
    TimeProvider time,
    ILogger<EventDispatcher> logger)
{
    public const int PageSize = 50;

    /// <summary>A pass stops a shard after this many pages, so one pass after a long outage stays within the timer's time limit.</summary>
    public const int MaxPagesPerShard = 100;

    /// <summary>
    /// How long a pass holds the page it claimed: longer than publishing it can take (the Service Bus client tries four
    /// times, 30 s each) and deleting it. A pass that crashed holds its page back no longer than this.
    /// </summary>
    public static readonly TimeSpan ClaimPeriod = TimeSpan.FromMinutes(5);

    /// <summary>The publish right after an outbox write waits no longer than this; the dispatcher takes over after.</summary>
    public static readonly TimeSpan ImmediatePublishTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Per shard, until when this instance leaves new events to the dispatcher without asking storage: set when an
    /// event found an older one pending (or could not be published), as the events after it must wait for the
    /// dispatcher anyway. Under sustained load that saves a query per event; the order is kept either way.
    /// </summary>
    private readonly long[] _backedUpUntil = new long[OutboxShards.Count];

    /// <summary>One pass over every shard; a shard that fails does not stop the others.</summary>
    public async Task<DispatchOutcome> DispatchAsync(CancellationToken cancellationToken = default)
    {
        var before = time.GetUtcNow() - TimeSpan.FromSeconds(options.Value.Events.DispatchDelaySeconds);
        var published = 0;
        var failed = 0;
        for (var shard = 0; shard < OutboxShards.Count; shard++)
        {
            try
            {
                published += await DispatchShardAsync(shard, before, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed++;
                logger.LogWarning(e, "Lifecycle events of outbox shard {Shard} stay pending: publishing failed; the next pass tries again", shard);
            }
        }

        return new DispatchOutcome(published, failed);
    }

    /// <summary>
    /// Best effort, right after the event was written to the outbox: publishes it unless an older event of its shard
    /// is still pending (then the dispatcher sends both in order). Never throws; the event stays in the outbox on failure.
    /// </summary>
    public async Task<bool> TryPublishNowAsync(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (time.GetUtcNow().UtcTicks < Volatile.Read(ref _backedUpUntil[entry.Shard]))
        {
            return false;
        }

        using var timeout = new CancellationTokenSource(ImmediatePublishTimeout);
        try
        {
            if (await outbox.HasOlderAsync(entry, timeout.Token).ConfigureAwait(false))
            {
                BackedUp(entry.Shard);
                return false;
            }

            await publisher.PublishAsync([entry.Event], timeout.Token).ConfigureAwait(false);
            await outbox.DeleteAsync(entry, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e)
        {
            BackedUp(entry.Shard);
            logger.LogWarning(e, "Lifecycle event {EventId} ({EventType}) for {Subject} stays in the outbox; the dispatcher publishes it later",
                entry.Event.Id, entry.Event.Type, entry.Event.Subject);
            return false;
        }
    }

    private void BackedUp(int shard) =>
        Volatile.Write(ref _backedUpUntil[shard], (time.GetUtcNow() + TimeSpan.FromSeconds(options.Value.Events.DispatchDelaySeconds)).UtcTicks);

    private async Task<int> DispatchShardAsync(int shard, DateTimeOffset before, CancellationToken cancellationToken)
    {
        var published = 0;
        for (var page = 0; page < MaxPagesPerShard; page++)
        {
            var pending = await outbox.ListPendingAsync(shard, before, PageSize, cancellationToken).ConfigureAwait(false);
            if (pending.Count == 0)
            {
                break;
            }

            // Invariant: an event is sent by the one pass that claimed it. A page held by another pass is left whole,
            // as sending the events after it would overtake its events.
            var now = time.GetUtcNow();
            var claimed = pending.Any(p => p.ClaimedUntil > now) ? null : await outbox.TryClaimAsync(pending, now + ClaimPeriod, cancellationToken).ConfigureAwait(false);
            if (claimed is null)
            {
                logger.LogInformation("Lifecycle events of outbox shard {Shard} are being published by another dispatch pass; this pass leaves them to it", shard);
                break;
            }

            await PublishClaimedAsync(shard, claimed, cancellationToken).ConfigureAwait(false);
            foreach (var entry in claimed)
            {
                await outbox.DeleteAsync(entry, cancellationToken).ConfigureAwait(false);
            }

            published += claimed.Count;
            if (pending.Count < PageSize)
            {
                break;
            }
        }

        return published;
    }

    /// <summary>Publishes a claimed page; when that fails, gives the claim back so the next pass retries at once, then throws.</summary>
    private async Task PublishClaimedAsync(int shard, IReadOnlyList<OutboxEntry> claimed, CancellationToken cancellationToken)
    {
        try
        {
            await publisher.PublishAsync(claimed.Select(p => p.Event).ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            try
            {
                await outbox.ReleaseAsync(claimed, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Claim on {Count} lifecycle events of outbox shard {Shard} stays until it runs out ({ClaimMinutes} min)", claimed.Count, shard, ClaimPeriod.TotalMinutes);
            }

            throw;
        }
    }
}
