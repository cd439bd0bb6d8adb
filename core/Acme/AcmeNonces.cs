using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Pki.Core.Acme;

/// <summary>
/// Replay nonces (RFC 8555 §6.5): 16 random bytes and the issue hour, base64url; stored when issued and deleted when
/// used, so a nonce issued by one host is good on every host, once, and a replay is refused everywhere.
/// </summary>
public sealed class AcmeNonces(IAcmeStore store, TimeProvider time, IOptions<PkiOptions> options)
{
    private const int RandomBytes = 16;
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    public async Task<string> NewAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var bytes = new byte[RandomBytes + 4];
        RandomNumberGenerator.Fill(bytes.AsSpan(0, RandomBytes));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(RandomBytes), (uint)((now - Epoch).Ticks / TimeSpan.TicksPerHour));
        var nonce = Base64Url.Encode(bytes);
        await store.AddNonceAsync(nonce, now, cancellationToken).ConfigureAwait(false);
        return nonce;
    }

    /// <summary>Uses <paramref name="nonce"/> up; <c>badNonce</c> when it is missing, malformed, expired, unknown or used.</summary>
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

        if (bytes.Length != RandomBytes + 4)
        {
            throw AcmeProblemException.BadNonce("The nonce is not one this server issued.");
        }

        var hour = (long)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(RandomBytes));
        var now = time.GetUtcNow();
        var nowHour = (now - Epoch).Ticks / TimeSpan.TicksPerHour;
        var lifetime = TimeSpan.FromMinutes(options.Value.Acme.NonceLifetimeMinutes);

        // The hour is all the nonce carries: the nonce may be up to an hour older than it says.
        if (hour > nowHour || TimeSpan.FromHours(nowHour - hour) > lifetime + TimeSpan.FromHours(1))
        {
            throw AcmeProblemException.BadNonce("The nonce has expired or is not one this server issued; use the fresh one in this response's Replay-Nonce.");
        }

        var issuedAt = Epoch + TimeSpan.FromHours(hour);
        if (!await store.TryConsumeNonceAsync(nonce, issuedAt, cancellationToken).ConfigureAwait(false))
        {
            throw AcmeProblemException.BadNonce("The nonce was used already or is unknown; use the fresh one in this response's Replay-Nonce.");
        }
    }
}
