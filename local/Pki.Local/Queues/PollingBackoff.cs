namespace Pki.Local.Queues;

/// <summary>
/// The Functions host's wait between polls of an empty queue: from the minimum, roughly doubling the increment
/// each time (±20 % jitter, so listeners drift apart), held at the maximum once reached, and back to the
/// minimum after a poll that found messages.
/// </summary>
internal sealed class PollingBackoff
{
    private const double Jitter = 0.2;
    private readonly TimeSpan _minimum;
    private readonly TimeSpan _maximum;
    private TimeSpan _current;
    private int _exponent;

    public PollingBackoff(TimeSpan minimum, TimeSpan maximum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, minimum);
        _minimum = minimum;
        _maximum = maximum;
    }

    /// <summary>The wait before the next poll; <paramref name="foundMessages"/> says whether any poll since the last wait found some.</summary>
    public TimeSpan Next(bool foundMessages)
    {
        if (foundMessages)
        {
            _exponent = 1;
            return _current = _minimum;
        }

        if (_current == _maximum)
        {
            return _current;
        }

        var next = _exponent == 0
            ? _minimum
            : _minimum + (_minimum * (Math.Pow(2, _exponent - 1) * (1 + (Jitter * ((2 * Random.Shared.NextDouble()) - 1)))));
        if (next < _maximum)
        {
            _exponent++;
            return _current = next;
        }

        return _current = _maximum;
    }
}
