using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Pki.Core.Acme;

/// <summary>
/// Replay nonces (RFC 8555 §6.5): 16 random bytes, the issue hour and a MAC over both under a key every host shares,
/// base64url. Issuing one costs no storage: the MAC shows a nonce is ours. Using one records it (a conditional insert),
/// so a nonce issued by one host is good on every host, once, and a replay is refused everywhere. The records are
/// kept by issue hour and swept once no nonce of that hour can still be used (<see cref="SweepAsync"/>).
/// </summary>
public sealed class AcmeNonces(IAcmeStore store, TimeProvider time, IOptions<PkiOptions> options)
{
    private const int RandomBytes = 16;
    private const int HourBytes = 4;
    private const int MacBytes = 16;
    private const int KeyBytes = 32;
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    // The shared key, read (or made, by the first host) once per process; read again after a failed read.
    private Task<byte[]>? _key;

    public async Task<string> NewAsync(CancellationToken cancellationToken = default)
    {
        var key = await KeyAsync(cancellationToken).ConfigureAwait(false);
        var bytes = new byte[RandomBytes + HourBytes + MacBytes];
        RandomNumberGenerator.Fill(bytes.AsSpan(0, RandomBytes));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(RandomBytes), (uint)((time.GetUtcNow() - Epoch).Ticks / TimeSpan.TicksPerHour));
        Mac(key, bytes.AsSpan(0, RandomBytes + HourBytes), bytes.AsSpan(RandomBytes + HourBytes));
        return Base64Url.Encode(bytes);
    }

    /// <summary>Uses <paramref name="nonce"/> up; <c>badNonce</c> when it is missing, malformed, not ours, expired or used.</summary>
    public async Task ConsumeAsync(string? nonce, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(nonce))
        {
            throw AcmeProblemException.BadNonce("The protected header lacks 'nonce'; get one from newNonce.");
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.Decode(nonce);
        }
        catch (FormatException)
        {
            throw AcmeProblemException.BadNonce("The nonce is not one this server issued.");
        }

        if (bytes.Length != RandomBytes + HourBytes + MacBytes)
        {
            throw AcmeProblemException.BadNonce("The nonce is not one this server issued.");
        }

        if (!MacMatches(await KeyAsync(cancellationToken).ConfigureAwait(false), bytes))
        {
            throw AcmeProblemException.BadNonce("The nonce is not one this server issued; use the fresh one in this response's Replay-Nonce.");
        }

        var hour = (long)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(RandomBytes));
        var nowHour = (time.GetUtcNow() - Epoch).Ticks / TimeSpan.TicksPerHour;

        // The hour is all the nonce carries: the nonce may be up to an hour older than it says.
        if (hour > nowHour || TimeSpan.FromHours(nowHour - hour) > Lifetime + TimeSpan.FromHours(1))
        {
            throw AcmeProblemException.BadNonce("The nonce has expired; use the fresh one in this response's Replay-Nonce.");
        }

        if (!await store.TryUseNonceAsync(nonce, Epoch + TimeSpan.FromHours(hour), cancellationToken).ConfigureAwait(false))
        {
            throw AcmeProblemException.BadNonce("The nonce was used already; use the fresh one in this response's Replay-Nonce.");
        }
    }

    /// <summary>
    /// Drops the records of used nonces issued in hours whose nonces have all expired (before the lifetime and the
    /// hour of slack <see cref="ConsumeAsync"/> allows); returns how many. Run by a timer; any host may run it.
    /// </summary>
    public Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        // The earliest issue hour ConsumeAsync still accepts; every hour before it holds only dead nonces.
        var nowHour = (time.GetUtcNow() - Epoch).Ticks / TimeSpan.TicksPerHour;
        var firstLiveHour = nowHour - (long)Math.Floor((Lifetime + TimeSpan.FromHours(1)).TotalHours);
        return store.DeleteUsedNoncesBeforeAsync(Epoch + TimeSpan.FromHours(firstLiveHour), cancellationToken);
    }

    private TimeSpan Lifetime => TimeSpan.FromMinutes(options.Value.Acme.NonceLifetimeMinutes);

    private async Task<byte[]> KeyAsync(CancellationToken cancellationToken)
    {
        var task = Volatile.Read(ref _key);
        if (task is null || task.IsFaulted || task.IsCanceled)
        {
            var fresh = store.GetOrAddNonceKeyAsync(RandomNumberGenerator.GetBytes(KeyBytes), CancellationToken.None);
            task = Interlocked.CompareExchange(ref _key, fresh, task) == task ? fresh : Volatile.Read(ref _key)!;
        }

        return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static bool MacMatches(byte[] key, byte[] nonce)
    {
        Span<byte> mac = stackalloc byte[MacBytes];
        Mac(key, nonce.AsSpan(0, RandomBytes + HourBytes), mac);
        return CryptographicOperations.FixedTimeEquals(mac, nonce.AsSpan(RandomBytes + HourBytes));
    }

    private static void Mac(byte[] key, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, data, full);
        full[..MacBytes].CopyTo(mac);
    }
}
