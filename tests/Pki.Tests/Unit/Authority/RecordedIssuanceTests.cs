using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pki.Core.Authority;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Authority;

/// <summary>The reservation step every CA signature goes through: what is journaled, what the "issuing" record holds, and redraws.</summary>
public sealed class RecordedIssuanceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryCertificateStore _store = new();
    private readonly InMemoryIssuanceJournal _journal = new();
    private readonly RecordedIssuance _recorded;

    public RecordedIssuanceTests() => _recorded = new RecordedIssuance(_store, _journal, _time, NullLogger<RecordedIssuance>.Instance);

    [Fact]
    public async Task A_journaled_draft_opens_its_entry_and_reserves_its_record_with_its_shard()
    {
        var draft = Draft(journaled: true) with { CrlShardCount = 16, AutoRenew = true, PredecessorSerial = "0A", Team = "payments" };

        var reserved = await _recorded.ReserveAsync(draft);

        var record = _store.Records[reserved.SerialNumber];
        Assert.Equal(CertificateStatus.Issuing, record.Status);
        Assert.Equal(SerialNumbers.ToHex(reserved.Serial), record.SerialNumber);
        Assert.Equal(CrlShards.Of(record.SerialNumber, 16), record.CrlShard);
        Assert.Equal(("ca-1", "web", "alice", "CN=svc.internal", "req-1", Now), (record.IssuerId, record.Profile, record.Owner, record.Subject, record.RequestId, record.CreatedAt));
        Assert.Equal((true, "0A", "payments"), (record.AutoRenew, record.PredecessorSerial, record.Team));
        var entry = Assert.Single(_journal.Open.Values);
        Assert.Equal(new IssuanceJournalEntry(record.SerialNumber, Now), entry);
    }

    [Fact]
    public async Task An_unjournaled_draft_reserves_without_an_entry_or_a_shard()
    {
        var reserved = await _recorded.ReserveAsync(Draft(journaled: false));

        Assert.Empty(_journal.Open);
        Assert.Null(_store.Records[reserved.SerialNumber].CrlShard);
    }

    [Fact]
    public async Task A_collided_serial_is_drawn_again_and_every_draw_was_journaled_first()
    {
        _store.CollisionsToReport = 2;

        var reserved = await _recorded.ReserveAsync(Draft(journaled: true));

        Assert.Equal(3, _store.Reservations);
        Assert.Single(_store.Records);
        // The collided draws' entries stay open; the repair pass closes an entry whose reservation never landed.
        Assert.Equal(3, _journal.Open.Count);
        Assert.Contains(reserved.SerialNumber, _journal.Open.Keys);
    }

    [Fact]
    public async Task Five_collisions_in_a_row_fail_loudly()
    {
        _store.CollisionsToReport = 5;

        await Assert.ThrowsAsync<InvalidOperationException>(() => _recorded.ReserveAsync(Draft(journaled: false)));
        Assert.Empty(_store.Records);
    }

    private static ReservationDraft Draft(bool journaled) =>
        new("ca-1", "web", "alice", "CN=svc.internal", Now.AddMinutes(-5), Now.AddDays(30), "req-1", Now, journaled);
}
