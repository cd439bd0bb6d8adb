namespace Pki.Core.Authority;

/// <summary>
/// The partition this host puts new serials in (<see cref="SerialNumbers"/>): drawn at random, and drawn again each
/// second, so concurrent issuances on one host share a partition (one transaction stores them together) while a
/// day's certificates spread over many partitions and hosts never contend for one.
/// </summary>
public sealed class SerialPartitions(TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _second = long.MinValue;
    private ushort _current;

    public ushort Current
    {
        get
        {
            var second = time.GetUtcNow().ToUnixTimeSeconds();
            lock (_gate)
            {
                if (second != _second)
                {
                    _second = second;
                    _current = SerialNumbers.NewPartition();
                }

                return _current;
            }
        }
    }
}
