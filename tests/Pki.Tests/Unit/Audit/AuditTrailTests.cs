using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Errors;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Audit;

/// <summary>Appending: links, the caller, bounded fields, once keys, a clock that steps back; and query validation.</summary>
public sealed class AuditTrailTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
    private readonly InMemoryAuditStore _store = new();
    private readonly CallerContext _callers = new();
    private readonly AuditTrail _trail;

    public AuditTrailTests() => _trail = new AuditTrail(_store, _callers, _time, NullLogger<AuditTrail>.Instance);

    [Fact]
    public async Task Each_record_names_the_caller_and_links_to_the_one_before()
    {
        using (_callers.Enter(new Caller("alice", "payments", [Roles.Requester], "api-key")))
        {
            await _trail.AppendAsync(AuditEntry.Succeeded(AuditActions.Issue) with { SerialNumber = "0a" });
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        await _trail.AppendAsync(AuditEntry.Succeeded(AuditActions.SweepStart));

        var records = _store.Records;
        Assert.Equal([1L, 2L], records.Select(r => r.Sequence));
        Assert.Equal(new AuditActor("alice", "payments", "api-key"), records[0].Actor);
        Assert.Equal(new AuditActor("system", null, "system"), records[1].Actor);
        Assert.Equal(AuditRecord.GenesisHash, records[0].PreviousHash);
        Assert.Equal(records[0].Hash, records[1].PreviousHash);
        Assert.All(records, r => Assert.True(AuditHash.Matches(r)));
        Assert.Equal(_time.GetUtcNow(), records[1].Time);
        Assert.True((await new AuditVerifier(_store, NullLogger<AuditVerifier>.Instance).VerifyAsync()).Ok);
    }

    [Fact]
    public async Task An_entry_with_a_once_key_is_recorded_once()
    {
        var entry = AuditEntry.Succeeded(AuditActions.Revoke) with { SerialNumber = "0a", OnceKey = "revoke:0a" };
        Assert.NotNull(await _trail.AppendAsync(entry));
        Assert.Null(await _trail.AppendAsync(entry));
        Assert.Single(_store.Records);
    }

    [Fact]
    public async Task A_clock_that_steps_back_does_not_make_times_decrease_along_the_chain()
    {
        var clock = new SteppingClock { Now = _time.GetUtcNow() };
        var trail = new AuditTrail(_store, _callers, clock, NullLogger<AuditTrail>.Instance);
        await trail.AppendAsync(AuditEntry.Succeeded(AuditActions.Issue));
        var first = _store.Records[0].Time;
        clock.Now = first.AddMinutes(-3);
        await trail.AppendAsync(AuditEntry.Succeeded(AuditActions.Issue));
        Assert.Equal(first, _store.Records[1].Time);
        Assert.True((await new AuditVerifier(_store, NullLogger<AuditVerifier>.Instance).VerifyAsync()).Ok);
    }

    [Fact]
    public async Task Long_fields_are_cut_so_a_record_stays_small()
    {
        await _trail.AppendAsync(AuditEntry.Succeeded(AuditActions.TargetAdd) with { TargetId = new string('t', 5000), Detail = new string('d', 5000) });
        var record = _store.Records[0];
        Assert.Equal(AuditRecord.MaxFieldLength, record.TargetId!.Length);
        Assert.Equal(AuditRecord.MaxDetailLength, record.Detail!.Length);
        Assert.True(AuditHash.Matches(record));
    }

    [Fact]
    public async Task A_store_that_fails_makes_the_append_throw()
    {
        _store.FailuresToReport = 1;
        await Assert.ThrowsAsync<IOException>(() => _trail.AppendAsync(AuditEntry.Succeeded(AuditActions.Issue)));
        Assert.Empty(_store.Records);
    }

    [Theory]
    [InlineData("yesterday", null, null, "invalid-time")]
    [InlineData(null, "2026-13-01T00:00:00Z", null, "invalid-time")]
    [InlineData("2026-11-28T00:00:00Z", "2026-11-27T00:00:00Z", null, "invalid-range")]
    [InlineData(null, null, "0", "invalid-limit")]
    [InlineData(null, null, "1001", "invalid-limit")]
    [InlineData(null, null, "-5", "invalid-limit")]
    [InlineData(null, null, "ten", "invalid-limit")]
    public async Task Bad_query_parameters_are_refused_with_a_problem_type(string? from, string? to, string? limit, string type)
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() => _trail.ListAsync(from, to, limit, null));
        Assert.Equal(ProblemKind.BadRequest, problem.Kind);
        Assert.Equal(type, problem.Type);
    }

    /// <summary>A clock another machine's NTP may step backwards, which FakeTimeProvider refuses to do.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
