namespace Pki.Core.Revocation.Ocsp;

/// <summary>
/// A token bucket of signatures: at most <c>burst</c> at once, refilled at <c>perSecond</c> by the injected clock. What
/// a client can make the responder sign for its request alone draws on it; past it the responder answers without signing.
/// </summary>
/// <remarks>Counted in whole clock ticks (a signature is <see cref="TimeSpan.TicksPerSecond"/> units), so no rounding decides a refusal.</remarks>
public sealed class SigningBudget
{
    private const long Signature = TimeSpan.TicksPerSecond;

    private readonly long _perSecond;
    private readonly long _capacity;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _units;
    private DateTimeOffset _refilledAt;

    public SigningBudget(int perSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegative(burst);
        ArgumentNullException.ThrowIfNull(time);
        _perSecond = perSecond;
        _capacity = burst * Signature;
        _time = time;
        _units = _capacity;
        _refilledAt = time.GetUtcNow();
    }

    /// <summary>Takes one signature from the budget; false when it is spent.</summary>
    public bool TryTake()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (now > _refilledAt)
            {
                // Elapsed time beyond what refills the whole bucket adds nothing, and capping it first keeps the product in range.
                var elapsed = Math.Min((now - _refilledAt).Ticks, _capacity);
                _units = Math.Min(_capacity, _units + (elapsed * _perSecond));
                _refilledAt = now;
            }

            if (_units < Signature)
            {
                return false;
            }

            _units -= Signature;
            return true;
        }
    }
}
