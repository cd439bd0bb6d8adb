using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Pki.Core.Errors;

namespace Pki.Core.Acme;

/// <summary>
/// Wraps EAB HMAC keys for storage with AES-256-GCM under <see cref="AcmeOptions.EabKeyWrappingKey"/>, bound to their
/// key id (as associated data), so the table alone never yields a key and a wrapped key moved to another id fails.
/// </summary>
public sealed class EabKeyWrap(IOptions<PkiOptions> options)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static bool TryParseKey(string? text, out byte[] key)
    {
        key = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        try
        {
            key = Convert.FromBase64String(text.Trim());
            return key.Length == 32;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public string Wrap(string kid, byte[] hmacKey)
    {
        using var aes = new AesGcm(Key(), TagSize);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var sealedKey = new byte[hmacKey.Length];
        var tag = new byte[TagSize];
        aes.Encrypt(nonce, hmacKey, sealedKey, tag, Encoding.UTF8.GetBytes(kid));
        return Convert.ToBase64String([.. nonce, .. sealedKey, .. tag]);
    }

    public byte[] Unwrap(string kid, string wrapped)
    {
        var bytes = Convert.FromBase64String(wrapped);
        using var aes = new AesGcm(Key(), TagSize);
        var key = new byte[bytes.Length - NonceSize - TagSize];
        aes.Decrypt(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize, key.Length), bytes.AsSpan(NonceSize + key.Length), key, Encoding.UTF8.GetBytes(kid));
        return key;
    }

    private byte[] Key() => TryParseKey(options.Value.Acme.EabKeyWrappingKey, out var key)
        ? key
        : throw new ProblemException(ProblemKind.Unavailable, "eab-not-configured", "EAB is not configured",
            "External Account Binding keys need Pki:Acme:EabKeyWrappingKey (32 random bytes, base64) to be wrapped at rest; the operator has not set it.");
}
