using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Errors;

namespace Pki.Core.Access;

/// <summary>
/// Limits the requests that may issue per caller and window, across all instances (the counter is in storage). Every
/// attempt counts, refused ones too: that is what stops a client retrying a bad request in a loop. An instance takes
/// allowance from the shared counter a chunk at a time (a twentieth of the limit, at most 100) and hands it out from
/// memory, one caller's requests queueing for one storage round trip per chunk; once the counter says the window is
/// spent, the instance refuses the rest of the window without asking storage. So the limit is never exceeded, and a
/// caller may be refused at most a chunk early per instance that holds unused allowance.
/// </summary>
public sealed class IssuanceRateLimiter(IRateLimitStore store, IOptions<PkiOptions> options, TimeProvider time, ILogger<IssuanceRateLimiter> logger)
{
    public const int MaxChunk = 100;

    /// <summary>Callers remembered before the counters of past windows are dropped.</summary>
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, Allowance> _allowances = new(StringComparer.Ordinal);
    private long _prunedWindowTicks;

    public async Task CheckAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var limits = options.Value.Access.RateLimits;
        if (limits.IssuancePerWindow <= 0 || ReferenceEquals(caller, Caller.System))
        {
            return;
        }

        var window = TimeSpan.FromSeconds(limits.WindowSeconds);
        var now = time.GetUtcNow();
        var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % window.Ticks), TimeSpan.Zero);
        if (await TryTakeAsync(Key(caller), start, limits.IssuancePerWindow, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var retryAfter = start + window - now;
        logger.LogWarning("Caller {CallerId} exceeded {Limit} issuance requests per {WindowSeconds} s", caller.Id, limits.IssuancePerWindow, limits.WindowSeconds);
        throw ProblemException.TooManyRequests("rate-limited",
            $"Caller '{caller.Id}' sent more than {limits.IssuancePerWindow} certificate requests in {limits.WindowSeconds} s; retry after {Math.Ceiling(retryAfter.TotalSeconds)} s.",
            retryAfter);
    }

    public static int ChunkOf(int limit) => Math.Clamp(limit / 20, 1, MaxChunk);

    private async Task<bool> TryTakeAsync(string key, DateTimeOffset start, int limit, CancellationToken cancellationToken)
    {
        // At most once a window: with that many callers in the current window, a scan per request would find nothing.
        if (_allowances.Count > PruneAbove && Interlocked.Exchange(ref _prunedWindowTicks, start.UtcTicks) != start.UtcTicks)
        {
            foreach (var stale in _allowances.Where(a => a.Value.Window < start))
            {
                _allowances.TryRemove(stale);
            }
        }

        var allowance = _allowances.GetOrAdd(key, _ => new Allowance());
        await allowance.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (allowance.Window != start)
            {
                (allowance.Window, allowance.Left, allowance.Spent) = (start, 0, false);
            }

            if (allowance.Left == 0 && !allowance.Spent)
            {
                allowance.Left = await store.TakeAsync(key, start, limit, ChunkOf(limit), cancellationToken).ConfigureAwait(false);
                allowance.Spent = allowance.Left == 0;
            }

            if (allowance.Left == 0)
            {
                return false;
            }

            allowance.Left--;
            return true;
        }
        finally
        {
            allowance.Gate.Release();
        }
    }

    /// <summary>The counter's key: the scheme and identity, hashed so any identity makes a valid table key.</summary>
    private static string Key(Caller caller) =>
        "issuance-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(caller.AuthenticationMethod + "\n" + caller.Id)))[..32];

    /// <summary>What this instance holds of one caller's allowance in the current window.</summary>
    private sealed class Allowance
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public DateTimeOffset Window { get; set; }

        public int Left { get; set; }

        public bool Spent { get; set; }
    }
}
