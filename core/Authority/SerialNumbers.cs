using System.Security.Cryptography;
using Org.BouncyCastle.Math;
using Pki.Core.Errors;

namespace Pki.Core.Authority;

/// <summary>
/// Serials are 16 bytes from the CSPRNG with the top bit cleared (positive) and a non-zero first byte, written as
/// exactly 32 lowercase hex digits. The first <see cref="PartitionBytes"/> bytes name the storage partition the
/// certificate is kept in: a host draws them at random and uses them for the serials it makes in one second
/// (<see cref="SerialPartitions"/>), so concurrent issuances share a partition and are stored in one transaction; the
/// other 14 bytes (112 bits) are drawn for each serial, far above the 64 unpredictable bits CA/B Forum rules ask for.
/// </summary>
public static class SerialNumbers
{
    public const int Bytes = 16;

    /// <summary>Leading bytes of a serial that name its partition (its first 4 hex digits).</summary>
    public const int PartitionBytes = 2;

    /// <summary>A serial drawn entirely at random.</summary>
    public static BigInteger New() => New(NewPartition());

    /// <summary>A serial in <paramref name="partition"/> (a value from <see cref="NewPartition"/>), the rest random.</summary>
    public static BigInteger New(ushort partition)
    {
        // A first byte of zero would shorten the hex (and move the partition); one with the top bit set, a negative serial.
        ArgumentOutOfRangeException.ThrowIfLessThan(partition, (ushort)0x0100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partition, (ushort)0x7FFF);
        Span<byte> bytes = stackalloc byte[Bytes];
        RandomNumberGenerator.Fill(bytes[PartitionBytes..]);
        bytes[0] = (byte)(partition >> 8);
        bytes[1] = (byte)partition;
        return new BigInteger(1, bytes.ToArray());
    }

    /// <summary>A random partition whose serials are positive with a non-zero first byte (so 32 hex digits).</summary>
    public static ushort NewPartition()
    {
        Span<byte> bytes = stackalloc byte[PartitionBytes];
        do
        {
            RandomNumberGenerator.Fill(bytes);
            bytes[0] &= 0x7F;
        }
        while (bytes[0] == 0);

        return (ushort)((bytes[0] << 8) | bytes[1]);
    }

    /// <summary>The partition a serial made here is stored in: its first 4 hex digits.</summary>
    public static string PartitionOf(string serialHex) => serialHex[..(PartitionBytes * 2)];

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
