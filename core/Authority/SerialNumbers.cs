using System.Security.Cryptography;
using Org.BouncyCastle.Math;
using Pki.Core.Errors;

namespace Pki.Core.Authority;

/// <summary>
/// Serials are 16 bytes from the CSPRNG with the top bit cleared (positive) and a non-zero first byte,
/// so every serial is about 127 random bits written as exactly 32 lowercase hex digits.
/// </summary>
public static class SerialNumbers
{
    public const int Bytes = 16;

    public static BigInteger New()
    {
        Span<byte> bytes = stackalloc byte[Bytes];
        do
        {
            RandomNumberGenerator.Fill(bytes);
            bytes[0] &= 0x7F;
        }
        while (bytes[0] == 0);

        return new BigInteger(1, bytes.ToArray());
    }

    /// <summary>Lowercase hex of the serial's unsigned big-endian bytes, as openssl prints it (even length).</summary>
    public static string ToHex(BigInteger serial) => Convert.ToHexStringLower(serial.ToByteArrayUnsigned());

    /// <summary>Canonical form of a serial a caller typed: lowercase, no colons, no zero bytes in front, even length.</summary>
    public static string Normalize(string? serialNumber)
    {
        var value = (serialNumber ?? string.Empty).Replace(":", string.Empty, StringComparison.Ordinal).Trim();
        if (value.Length is 0 or > 64 || !value.All(char.IsAsciiHexDigit))
        {
            throw ProblemException.BadRequest("invalid-serial", "A serial number is 1 to 64 hexadecimal digits (colons allowed).");
        }

        var trimmed = value.ToLowerInvariant().TrimStart('0');
        if (trimmed.Length == 0)
        {
            throw ProblemException.BadRequest("invalid-serial", "Serial number zero is never issued; serials are positive.");
        }

        return trimmed.Length % 2 == 0 ? trimmed : "0" + trimmed;
    }
}
