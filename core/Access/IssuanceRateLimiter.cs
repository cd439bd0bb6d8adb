using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Errors;

namespace Pki.Core.Access;

/// <summary>
/// Limits the requests that may issue per caller and window, across all instances (the counter is in storage).
/// Every attempt counts, refused ones too: that is what stops a client retrying a bad request in a loop. Over the
/// limit, the refusal reads one row and writes nothing.
/// </summary>
public sealed class IssuanceRateLimiter(IRateLimitStore store, IOptions<PkiOptions> options, TimeProvider time, ILogger<IssuanceRateLimiter> logger)
{
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
        if (await store.TryTakeAsync(Key(caller), start, limits.IssuancePerWindow, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var retryAfter = start + window - now;
        logger.LogWarning("Caller {CallerId} exceeded {Limit} issuance requests per {WindowSeconds} s", caller.Id, limits.IssuancePerWindow, limits.WindowSeconds);
        throw ProblemException.TooManyRequests("rate-limited",
            $"Caller '{caller.Id}' sent more than {limits.IssuancePerWindow} certificate requests in {limits.WindowSeconds} s; retry after {Math.Ceiling(retryAfter.TotalSeconds)} s.",
            retryAfter);
    }

    /// <summary>The counter's key: the scheme and identity, hashed so any identity makes a valid table key.</summary>
    private static string Key(Caller caller) =>
        "issuance-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(caller.AuthenticationMethod + "\n" + caller.Id)))[..32];
}
