using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Events;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;
using Pki.Tests.Unit.Events;

namespace Pki.Tests.Integration.Events;

/// <summary>The outbox table on Azurite with the dispatcher; the bus is a publisher that can be taken down.</summary>
public sealed class EventOutboxTests
{
    private readonly string _prefix = TestEnvironment.UniqueId("t");
    private readonly FakeTimeProvider _time = new(EventCertificates.IssuedAt.AddMinutes(10));
    private readonly RecordingPublisher _bus = new();
    private readonly IOptions<PkiOptions> _options;
    private readonly TableEventOutbox _outbox;
    private readonly EventDispatcher _dispatcher;
    private readonly LifecycleEventRecorder _recorder;
    private readonly LifecycleEvents _events = EventCertificates.Events();
    private readonly CertificateRecord _web = EventCertificates.Issued("web.corp.internal", "0a1b2c3d4e5f60718293");
    private readonly CertificateRecord _api = EventCertificates.Issued("api.corp.internal", "0a1b2c3d4e5f60718294");

    public EventOutboxTests()
    {
        _options = Options.Create(new PkiOptions
        {
            PublicBaseUrl = EventCertificates.BaseUrl,
            Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = _prefix },
        });
        _outbox = new TableEventOutbox(new TableStorage(_options));
        _dispatcher = new EventDispatcher(_outbox, _bus, _options, _time, NullLogger<EventDispatcher>.Instance);
        _recorder = new LifecycleEventRecorder(_events, _outbox, _dispatcher);
    }

    [Fact]
    public async Task Events_stay_in_the_outbox_while_the_bus_is_down_and_are_published_once_when_it_returns()
    {
        _bus.Down = true;
        var revoked = EventCertificates.Revoked(_web, EventCertificates.IssuedAt.AddMinutes(1));
        await _recorder.OnIssuedAsync(_web);
        await _recorder.OnIssuedAsync(_api);
        await _recorder.OnRevokedAsync(revoked);
        Assert.Equal(3, await PendingAsync());

        var down = await _dispatcher.DispatchAsync();
        Assert.Equal(0, down.Published);
        Assert.InRange(down.FailedShards, 1, 2);
        Assert.Equal(3, await PendingAsync());
        Assert.Empty(_bus.Published);

        _bus.Down = false;
        var up = await _dispatcher.DispatchAsync();
        Assert.Equal(new DispatchOutcome(3, 0), up);
        Assert.Equal(0, await PendingAsync());
        Assert.Equal(
            new[] { _events.Issued(_web).Id, _events.Issued(_api).Id, _events.Revoked(revoked).Id }.Order(),
            _bus.Published.Select(e => e.Id).Order());
        Assert.Equal([LifecycleEventTypes.Issued, LifecycleEventTypes.Revoked], _bus.Published.Where(e => e.Subject == _web.SerialNumber).Select(e => e.Type));

        // A second pass, or a redelivered timer run, finds nothing left to send.
        Assert.Equal(new DispatchOutcome(0, 0), await _dispatcher.DispatchAsync());
        Assert.Equal(3, _bus.Published.Count);
    }

    [Fact]
    public async Task With_the_bus_up_an_event_is_published_right_after_the_outbox_write_and_removed()
    {
        await _recorder.OnIssuedAsync(_web);

        var published = Assert.Single(_bus.Published);
        Assert.Equal(_events.Issued(_web).Id, published.Id);
        Assert.Equal(0, await PendingAsync());
        Assert.Equal(new DispatchOutcome(0, 0), await _dispatcher.DispatchAsync());
        Assert.Single(_bus.Published);
    }

    [Fact]
    public async Task Writing_the_same_event_again_keeps_one_pending_row()
    {
        _bus.Down = true;
        var revoked = EventCertificates.Revoked(_web, EventCertificates.IssuedAt.AddMinutes(1));
        await _recorder.OnRevokedAsync(revoked);
        await _recorder.OnRevokedAsync(revoked);
        Assert.Equal(1, await PendingAsync());

        _bus.Down = false;
        Assert.Equal(1, (await _dispatcher.DispatchAsync()).Published);
        Assert.Single(_bus.Published);
    }

    [Fact]
    public async Task An_event_waits_behind_an_older_pending_event_of_its_certificate_so_order_is_kept()
    {
        _bus.Down = true;
        await _recorder.OnIssuedAsync(_web);
        _bus.Down = false;

        await _recorder.OnRevokedAsync(EventCertificates.Revoked(_web, EventCertificates.IssuedAt.AddMinutes(1)));
        Assert.Empty(_bus.Published);
        Assert.Equal(2, await PendingAsync());

        Assert.Equal(2, (await _dispatcher.DispatchAsync()).Published);
        Assert.Equal([LifecycleEventTypes.Issued, LifecycleEventTypes.Revoked], _bus.Published.Select(e => e.Type));
    }

    [Fact]
    public async Task A_certificate_revoked_in_the_second_it_was_issued_is_published_issued_then_revoked_after_an_outage()
    {
        var issued = _web with { IssuedAt = EventCertificates.IssuedAt.AddMilliseconds(700) };
        _bus.Down = true;
        await _recorder.OnIssuedAsync(issued);
        await _recorder.OnRevokedAsync(EventCertificates.Revoked(issued, EventCertificates.IssuedAt));
        _bus.Down = false;

        Assert.Equal(2, (await _dispatcher.DispatchAsync()).Published);
        Assert.Equal([LifecycleEventTypes.Issued, LifecycleEventTypes.Revoked], _bus.Published.Select(e => e.Type));
    }

    [Fact]
    public async Task The_dispatcher_leaves_events_younger_than_the_delay_to_the_publish_after_the_write()
    {
        var recent = _web with { IssuedAt = _time.GetUtcNow().AddSeconds(-10) };
        _bus.Down = true;
        await _recorder.OnIssuedAsync(recent);
        _bus.Down = false;

        Assert.Equal(0, (await _dispatcher.DispatchAsync()).Published);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, (await _dispatcher.DispatchAsync()).Published);
    }

    [Fact]
    public async Task Two_overlapping_dispatch_passes_publish_each_event_once()
    {
        _bus.Down = true;
        await _recorder.OnIssuedAsync(_web);
        await _recorder.OnIssuedAsync(_api);
        await _recorder.OnRevokedAsync(EventCertificates.Revoked(_web, EventCertificates.IssuedAt.AddMinutes(1)));
        _bus.Down = false;

        // One pass stalls while publishing its first page (a slow bus, a host whose timer lease lapsed) and another runs meanwhile.
        var slowBus = new GatedPublisher();
        var slow = new EventDispatcher(_outbox, slowBus, _options, _time, NullLogger<EventDispatcher>.Instance).DispatchAsync();
        await slowBus.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        var fast = await _dispatcher.DispatchAsync();
        slowBus.Gate.Release(OutboxShards.Count);
        var slowOutcome = await slow.WaitAsync(TimeSpan.FromSeconds(10));

        var sent = _bus.Published.Concat(slowBus.Published).Select(e => e.Id).ToList();
        Assert.Equal(3, sent.Count);
        Assert.Equal(3, sent.Distinct().Count());
        Assert.Equal(3, fast.Published + slowOutcome.Published);
        Assert.NotEmpty(slowBus.Published);
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public async Task A_page_claimed_by_a_pass_that_died_is_published_by_a_later_pass_once_the_claim_runs_out()
    {
        _bus.Down = true;
        await _recorder.OnIssuedAsync(_web);
        _bus.Down = false;
        var shard = OutboxShards.Of(_web.SerialNumber);
        var pending = await _outbox.ListPendingAsync(shard, _time.GetUtcNow(), EventDispatcher.PageSize);
        var claimed = await _outbox.TryClaimAsync(pending, _time.GetUtcNow() + EventDispatcher.ClaimPeriod);
        Assert.All(claimed!, c => Assert.NotNull(c.Version));

        // The same rows as listed before the claim cannot be claimed twice.
        Assert.Null(await _outbox.TryClaimAsync(pending, _time.GetUtcNow() + EventDispatcher.ClaimPeriod));
        Assert.Equal(new DispatchOutcome(0, 0), await _dispatcher.DispatchAsync());
        Assert.Empty(_bus.Published);

        _time.Advance(EventDispatcher.ClaimPeriod + TimeSpan.FromSeconds(1));
        Assert.Equal(new DispatchOutcome(1, 0), await _dispatcher.DispatchAsync());
        Assert.Equal(_events.Issued(_web).Id, Assert.Single(_bus.Published).Id);

        // The dead pass's late delete finds the row gone: no error, nothing else removed.
        await _outbox.DeleteAsync(claimed![0]);
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public async Task Behind_a_backlog_new_events_of_the_shard_go_to_the_dispatcher_without_a_query_until_the_delay_has_passed()
    {
        var counting = new CountingOutbox(_outbox);
        var recorder = new LifecycleEventRecorder(_events, counting, new EventDispatcher(counting, _bus, _options, _time, NullLogger<EventDispatcher>.Instance));
        var shard = OutboxShards.Of(_web.SerialNumber);
        var sameShard = Enumerable.Range(0, 256).Select(i => "0a1b2c3d4e5f6071" + i.ToString("x4", System.Globalization.CultureInfo.InvariantCulture))
            .Where(serial => OutboxShards.Of(serial) == shard).Take(2)
            .Select(serial => EventCertificates.Issued($"n{serial}.corp.internal", serial)).ToArray();

        _bus.Down = true;
        await recorder.OnIssuedAsync(_web);
        Assert.Equal(1, counting.HasOlderQueries);
        _bus.Down = false;

        // The shard is backed up: this event waits behind the first without asking storage, and the order holds.
        await recorder.OnIssuedAsync(sameShard[0]);
        Assert.Equal(1, counting.HasOlderQueries);
        Assert.Empty(_bus.Published);
        Assert.Equal(2, await PendingAsync());
        Assert.Equal(2, (await _dispatcher.DispatchAsync()).Published);
        Assert.Equal([_web.SerialNumber, sameShard[0].SerialNumber], _bus.Published.Select(e => e.Subject));

        // Once the dispatch delay has passed the instance asks again, and finds nothing older: published at once.
        _time.Advance(TimeSpan.FromSeconds(_options.Value.Events.DispatchDelaySeconds));
        await recorder.OnIssuedAsync(sameShard[1]);
        Assert.Equal(2, counting.HasOlderQueries);
        Assert.Equal(sameShard[1].SerialNumber, _bus.Published[^1].Subject);
        Assert.Equal(0, await PendingAsync());
    }

    /// <summary>The real outbox, counting the "is an older event pending" queries it is asked.</summary>
    private sealed class CountingOutbox(IEventOutbox inner) : IEventOutbox
    {
        private int _hasOlder;

        public int HasOlderQueries => Volatile.Read(ref _hasOlder);

        public Task<OutboxEntry> AddAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default) => inner.AddAsync(cloudEvent, cancellationToken);

        public Task<IReadOnlyList<OutboxEntry>> ListPendingAsync(int shard, DateTimeOffset before, int max, CancellationToken cancellationToken = default) =>
            inner.ListPendingAsync(shard, before, max, cancellationToken);

        public Task<IReadOnlyList<OutboxEntry>?> TryClaimAsync(IReadOnlyList<OutboxEntry> entries, DateTimeOffset until, CancellationToken cancellationToken = default) =>
            inner.TryClaimAsync(entries, until, cancellationToken);

        public Task ReleaseAsync(IReadOnlyList<OutboxEntry> claimed, CancellationToken cancellationToken = default) => inner.ReleaseAsync(claimed, cancellationToken);

        public Task<bool> HasOlderAsync(OutboxEntry entry, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _hasOlder);
            return inner.HasOlderAsync(entry, cancellationToken);
        }

        public Task DeleteAsync(OutboxEntry entry, CancellationToken cancellationToken = default) => inner.DeleteAsync(entry, cancellationToken);
    }

    /// <summary>Rows in the outbox table (a scan, fine for a test).</summary>
    private async Task<int> PendingAsync()
    {
        var table = new TableClient(TestEnvironment.StorageConnectionString, _prefix + TableNames.EventOutbox);
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            count++;
        }

        return count;
    }
}
