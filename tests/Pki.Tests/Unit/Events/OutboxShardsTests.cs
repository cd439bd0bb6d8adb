using Pki.Core.Authority;
using Pki.Core.Events;

namespace Pki.Tests.Unit.Events;

public sealed class OutboxShardsTests
{
    [Fact]
    public void Certificates_issued_in_one_serial_partition_share_a_shard_so_their_events_share_a_transaction()
    {
        var partition = SerialNumbers.NewPartition();
        var shards = Enumerable.Range(0, 50).Select(_ => OutboxShards.Of(SerialNumbers.ToHex(SerialNumbers.New(partition)))).Distinct();
        Assert.Single(shards);
    }

    [Fact]
    public void Serial_partitions_spread_over_every_shard()
    {
        var counts = new int[OutboxShards.Count];
        for (var p = 0x0100; p <= 0x7FFF; p++)
        {
            counts[OutboxShards.Of(SerialNumbers.ToHex(SerialNumbers.New((ushort)p)))]++;
        }

        var expected = (0x7FFF - 0x0100 + 1) / OutboxShards.Count;
        Assert.All(counts, c => Assert.InRange(c, expected * 9 / 10, expected * 11 / 10));
    }

    [Fact]
    public void A_subject_shorter_than_a_partition_still_has_a_shard()
    {
        Assert.InRange(OutboxShards.Of("ab"), 0, OutboxShards.Count - 1);
        Assert.Throws<ArgumentException>(() => OutboxShards.Of(string.Empty));
    }
}
