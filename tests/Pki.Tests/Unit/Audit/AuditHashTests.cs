using System.Text;
using Pki.Core.Audit;

namespace Pki.Tests.Unit.Audit;

/// <summary>The canonical encoding is a stored format: changing it breaks every chain already written.</summary>
public sealed class AuditHashTests
{
    private static readonly AuditRecord Sample = new(
        1, new DateTimeOffset(2026, 11, 27, 8, 0, 0, 123, TimeSpan.Zero), new AuditActor("alice", "payments", "api-key"),
        AuditActions.Issue, AuditOutcomes.Succeeded, null, "req-1", "0a1b", null, null, "ca=issuing", AuditRecord.GenesisHash, string.Empty);

    [Fact]
    public void The_hash_of_a_known_record_is_the_one_an_independent_implementation_computes()
    {
        // Computed with Python's hashlib over the encoding the AuditHash summary documents.
        Assert.Equal("6ed1a98e71574811f6d3823dd0824c6dd8d65a3fdc757125ab909c4880842eb0", AuditHash.Compute(Sample));
    }

    [Fact]
    public void The_encoding_starts_with_the_length_prefixed_version_tag_then_the_sequence_and_time()
    {
        var bytes = AuditHash.Canonical(Sample);
        Assert.Equal("0000000b706b692d61756469742f31000000013100000018323032362d31312d32375430383a3030", Convert.ToHexStringLower(bytes[..40]));
    }

    public static TheoryData<string, Func<AuditRecord, AuditRecord>> Changes => new()
    {
        { "sequence", r => r with { Sequence = 2 } },
        { "time", r => r with { Time = r.Time.AddMilliseconds(1) } },
        { "actor id", r => r with { Actor = r.Actor with { Id = "mallory" } } },
        { "actor team", r => r with { Actor = r.Actor with { Team = null } } },
        { "actor method", r => r with { Actor = r.Actor with { AuthenticationMethod = "entra" } } },
        { "action", r => r with { Action = AuditActions.Revoke } },
        { "outcome", r => r with { Outcome = AuditOutcomes.Refused } },
        { "problem type", r => r with { ProblemType = "weak-key" } },
        { "request id", r => r with { RequestId = "req-2" } },
        { "serial", r => r with { SerialNumber = "0a1c" } },
        { "fingerprint", r => r with { Fingerprint = "ab" } },
        { "target", r => r with { TargetId = "t1" } },
        { "detail", r => r with { Detail = "ca=other" } },
        { "previous hash", r => r with { PreviousHash = new string('1', 64) } },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Changing_any_field_changes_the_hash(string field, Func<AuditRecord, AuditRecord> change)
    {
        var linked = AuditTrail.Link(Sample);
        Assert.True(AuditHash.Matches(linked));
        Assert.False(AuditHash.Matches(change(linked)), field);
    }

    [Fact]
    public void An_absent_field_and_an_empty_one_hash_differently()
    {
        Assert.NotEqual(AuditHash.Compute(Sample with { ProblemType = null }), AuditHash.Compute(Sample with { ProblemType = string.Empty }));
    }

    [Fact]
    public void Text_cannot_move_from_one_field_into_the_next()
    {
        // Without length prefixes "ab"+"c" and "a"+"bc" would encode alike.
        var one = Sample with { RequestId = "ab", SerialNumber = "c" };
        var other = Sample with { RequestId = "a", SerialNumber = "bc" };
        Assert.NotEqual(AuditHash.Compute(one), AuditHash.Compute(other));
    }

    [Fact]
    public void Non_ascii_text_is_hashed_as_utf8()
    {
        var bytes = AuditHash.Canonical(Sample with { Detail = "owner=Jürgen" });
        var detail = Encoding.UTF8.GetBytes("owner=Jürgen");
        Assert.True(bytes.AsSpan().IndexOf(detail) > 0);
        Assert.Equal(13, detail.Length);
    }

    [Fact]
    public void Times_are_kept_to_the_millisecond_in_utc()
    {
        var time = new DateTimeOffset(2026, 11, 27, 9, 0, 0, 456, TimeSpan.FromHours(1)).AddTicks(7777);
        var truncated = AuditHash.Truncate(time);
        Assert.Equal(TimeSpan.Zero, truncated.Offset);
        Assert.Equal("2026-11-27T08:00:00.456Z", AuditHash.FormatTime(truncated));
        Assert.Equal(0, truncated.UtcTicks % TimeSpan.TicksPerMillisecond);
    }
}
