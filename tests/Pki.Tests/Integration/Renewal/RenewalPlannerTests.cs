using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Renewal;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Renewal;

/// <summary>The planner against Azurite's Table service, with a recording queue and a fake clock.</summary>
public sealed class RenewalPlannerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly IOptions<PkiOptions> _options;
    private readonly TableStorage _storage;
    private readonly RecordingQueue _queue = new();

    public RenewalPlannerTests()
    {
        _options = Options.Create(new PkiOptions
        {
            Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = TestEnvironment.UniqueId("r") },
        });
        _storage = new TableStorage(_options);
    }

    private RenewalPlanner Planner() => new(new TableRenewalIndex(_storage), _queue, _options, _time, NullLogger<RenewalPlanner>.Instance);

    /// <summary>Issues (in storage only) a certificate of the given lifetime at the fake clock's now.</summary>
    private async Task<string> IssueAsync(TableCertificateStore store, int days)
    {
        var serial = SerialNumbers.ToHex(SerialNumbers.New());
        var now = _time.GetUtcNow();
        var record = new CertificateRecord(serial, "issuing", CertificateStatus.Issuing, ProfileNames.TlsServer, "alice", "CN=a.internal", now, now.AddDays(days), "req", now);
        Assert.True(await store.TryReserveAsync(record));
        await store.MarkIssuedAsync(record with { Status = CertificateStatus.Issued, CertificateDer = [1], IssuedAt = now });
        return serial;
    }

    [Fact]
    public async Task The_planner_enqueues_exactly_the_due_certificates_and_a_second_pass_enqueues_nothing()
    {
        var store = new TableCertificateStore(_storage, _options);
        await Planner().PlanAsync(); // sets the cursor to today
        var short1 = await IssueAsync(store, 30); // due after 20 days
        var short2 = await IssueAsync(store, 30);
        var medium = await IssueAsync(store, 45); // due after 30 days
        await IssueAsync(store, 90); // due after 60 days

        _time.Advance(TimeSpan.FromDays(21));
        var first = await Planner().PlanAsync();
        Assert.Equal(new[] { short1, short2 }.Order(), _queue.Serials.Order());
        Assert.Equal(2, first.Enqueued);
        Assert.Equal(0, first.FailedDays);
        Assert.Equal(22, first.DaysRead); // from the cursor day through today, one bucket each

        var again = await Planner().PlanAsync();
        Assert.Equal(0, again.Enqueued);
        Assert.Equal(2, _queue.Serials.Count);
        Assert.Equal(1, again.DaysRead); // the cursor moved to today

        _time.Advance(TimeSpan.FromDays(10));
        await Planner().PlanAsync();
        Assert.Equal(new[] { short1, short2, medium }.Order(), _queue.Serials.Order());
    }

    private sealed class RecordingQueue : IRenewalQueue
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _serials = new();

        public IReadOnlyCollection<string> Serials => _serials;

        public Task SendAsync(RenewalMessage message, CancellationToken cancellationToken = default)
        {
            _serials.Enqueue(message.SerialNumber!);
            return Task.CompletedTask;
        }
    }
}
