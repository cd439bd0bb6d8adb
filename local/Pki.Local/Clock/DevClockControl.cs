using Microsoft.Extensions.Logging;
using Pki.Core.Errors;

namespace Pki.Local.Clock;

/// <summary>
/// Moves the dev clock forward and keeps its offset (<see cref="ClockOffsetStore"/>), one move at a time. A move is
/// written before the clock takes it, so a host started again never reads an earlier time than one it served.
/// </summary>
public sealed class DevClockControl(TimeProvider time, DevClock clock, ClockOffsetStore store, ILogger<DevClockControl> logger)
{
    /// <summary>The longest single move; far beyond any certificate or CA lifetime, and far from DateTimeOffset's end.</summary>
    public static readonly TimeSpan LongestMove = TimeSpan.FromDays(3650);

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>False when the host's services read another clock (a test's fake one): moving this one would change nothing.</summary>
    public bool IsHostClock => ReferenceEquals(time, clock);

    public ClockReading Read() => new(clock.GetUtcNow(), clock.Offset);

    /// <summary>Reads the kept offset into the clock; done once as the host is built, before any schedule counts from it.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        var offset = clock.AdvanceToOffset(await store.ReadAsync(cancellationToken).ConfigureAwait(false));
        if (offset > TimeSpan.Zero)
        {
            logger.LogWarning("The dev clock runs {Offset} ahead of the system clock, as moved before (POST /admin/clock); it reads {Now:o}",
                IsoDuration.Format(offset), clock.GetUtcNow());
        }
    }

    /// <summary>Moves the clock forward by <paramref name="by"/>.</summary>
    /// <exception cref="ProblemException">The move is backward, too long, or the host does not read this clock.</exception>
    public async Task<ClockReading> AdvanceAsync(TimeSpan by, CancellationToken cancellationToken = default)
    {
        if (by < TimeSpan.Zero)
        {
            throw Backward($"'advance' is negative ({IsoDuration.Format(by)})");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await MoveAsync(by, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Moves the clock forward to <paramref name="moment"/>.</summary>
    /// <exception cref="ProblemException">The moment has passed, is too far ahead, or the host does not read this clock.</exception>
    public async Task<ClockReading> AdvanceToAsync(DateTimeOffset moment, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = clock.GetUtcNow();
            if (moment < now)
            {
                throw Backward($"'to' ({moment:o}) is before the clock's time ({now:o})");
            }

            return await MoveAsync(moment - now, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ClockReading> MoveAsync(TimeSpan by, CancellationToken cancellationToken)
    {
        if (!IsHostClock)
        {
            throw new ProblemException(ProblemKind.Conflict, "clock-not-movable", "The clock cannot be moved",
                "This host's services read another clock than the dev clock (a test's own); moving the dev clock would change nothing.");
        }

        if (by > LongestMove)
        {
            throw ProblemException.Unprocessable("clock-move-too-long",
                $"A move may be at most {IsoDuration.Format(LongestMove)}; {IsoDuration.Format(by)} was asked. Move in steps.");
        }

        var offset = clock.Offset + by;
        await store.WriteAsync(offset, cancellationToken).ConfigureAwait(false);
        clock.AdvanceToOffset(offset);
        var reading = Read();
        logger.LogDebug("Moved the dev clock forward by {By}: it reads {Now:o}, {Offset} ahead of the system clock", IsoDuration.Format(by), reading.Now, IsoDuration.Format(reading.Offset));
        return reading;
    }

    private static ProblemException Backward(string what) =>
        ProblemException.Unprocessable("clock-backward",
            $"The dev clock only moves forward: {what}. To start again from the system's time, stop the host and delete its state (local/.state).");
}
