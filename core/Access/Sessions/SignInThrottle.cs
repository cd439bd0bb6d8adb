using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Errors;

namespace Pki.Core.Access.Sessions;

/// <summary>
/// Slows down guessing API keys at the dashboard's sign-in: failed attempts are counted per client address and per key
/// prefix (the first <see cref="PrefixLength"/> characters of what was sent, so one guesser spread over many addresses
/// is stopped too), in fixed windows, in storage (every instance sees the same counts). Once either count reaches
/// <c>Pki:Access:RateLimits:SignInFailuresPerWindow</c>, sign-in from there is refused with 429 and Retry-After before the
/// key is even looked at, a right key included, until the window ends. Counters hold hashes, never key material.
/// </summary>
public sealed class SignInThrottle(ISignInAttemptStore store, IOptions<PkiOptions> options, TimeProvider time, ILogger<SignInThrottle> logger)
{
    public const int PrefixLength = 12;

    private RateLimitOptions Limits => options.Value.Access.RateLimits;

    /// <summary>Refuses with 429 when the client or the key's prefix has used up its failures in this window.</summary>
    public async Task CheckAsync(string? client, string apiKey, CancellationToken cancellationToken = default)
    {
        if (Limits.SignInFailuresPerWindow <= 0)
        {
            return;
        }

        var (start, end) = Window();
        foreach (var (key, what) in Keys(client, apiKey))
        {
            if (await store.CountAsync(key, start, cancellationToken).ConfigureAwait(false) >= Limits.SignInFailuresPerWindow)
            {
                var retryAfter = end - time.GetUtcNow();
                logger.LogWarning("Sign-in refused: {What} reached {Limit} failed sign-ins in {WindowSeconds} s", what, Limits.SignInFailuresPerWindow, Limits.SignInWindowSeconds);
                throw ProblemException.TooManyRequests("sign-in-rate-limited",
                    $"Too many failed sign-ins from {what} ({Limits.SignInFailuresPerWindow} in {Limits.SignInWindowSeconds} s); retry after {Math.Ceiling(retryAfter.TotalSeconds)} s.",
                    retryAfter);
            }
        }
    }

    /// <summary>Counts a failed sign-in against the client and the key's prefix.</summary>
    public async Task FailedAsync(string? client, string apiKey, CancellationToken cancellationToken = default)
    {
        if (Limits.SignInFailuresPerWindow <= 0)
        {
            return;
        }

        var (start, _) = Window();
        foreach (var (key, _) in Keys(client, apiKey))
        {
            await store.AddFailureAsync(key, start, cancellationToken).ConfigureAwait(false);
        }
    }

    private (DateTimeOffset Start, DateTimeOffset End) Window()
    {
        var window = TimeSpan.FromSeconds(Limits.SignInWindowSeconds);
        var now = time.GetUtcNow();
        var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % window.Ticks), TimeSpan.Zero);
        return (start, start + window);
    }

    private static IEnumerable<(string Key, string What)> Keys(string? client, string apiKey)
    {
        if (!string.IsNullOrEmpty(client))
        {
            yield return ("signin-client-" + Hash(client), "this client");
        }

        yield return ("signin-prefix-" + Hash(apiKey.Length <= PrefixLength ? apiKey : apiKey[..PrefixLength]), "keys with this prefix");
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
}
