namespace Pki.Core.Revocation;

/// <summary>The few DER primitives the CRL writer needs, written straight into a byte span.</summary>
internal static class Der
{
    public const byte Integer = 0x02;
    public const byte BitString = 0x03;
    public const byte OctetString = 0x04;
    public const byte Enumerated = 0x0A;
    public const byte UtcTime = 0x17;
    public const byte GeneralizedTime = 0x18;
    public const byte Sequence = 0x30;

    /// <summary>Bytes a tag and definite length take for content of this length.</summary>
    public static int HeaderSize(int contentLength) => 1 + contentLength switch
    {
        < 0x80 => 1,
        <= 0xFF => 2,
        <= 0xFFFF => 3,
        <= 0xFFFFFF => 4,
        _ => 5,
    };

    /// <summary>Writes tag and length; returns the bytes written.</summary>
    public static int WriteHeader(Span<byte> destination, byte tag, int contentLength)
    {
        destination[0] = tag;
        if (contentLength < 0x80)
        {
            destination[1] = (byte)contentLength;
            return 2;
        }

        var lengthBytes = HeaderSize(contentLength) - 2;
        destination[1] = (byte)(0x80 | lengthBytes);
        for (var i = 0; i < lengthBytes; i++)
        {
            destination[1 + lengthBytes - i] = (byte)(contentLength >> (8 * i));
        }

        return 2 + lengthBytes;
    }

    /// <summary>Content length of a positive INTEGER whose unsigned big-endian bytes are given.</summary>
    public static int PositiveIntegerContentLength(ReadOnlySpan<byte> unsigned)
    {
        var trimmed = TrimLeadingZeros(unsigned);
        return trimmed.Length == 0 ? 1 : trimmed.Length + (trimmed[0] >= 0x80 ? 1 : 0);
    }

    public static int WritePositiveInteger(Span<byte> destination, ReadOnlySpan<byte> unsigned)
    {
        var trimmed = TrimLeadingZeros(unsigned);
        var length = PositiveIntegerContentLength(unsigned);
        var written = WriteHeader(destination, Integer, length);
        if (trimmed.Length == 0 || trimmed[0] >= 0x80)
        {
            destination[written++] = 0;
        }

        trimmed.CopyTo(destination[written..]);
        return written + trimmed.Length;
    }

    /// <summary>RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, always in seconds with Z.</summary>
    public static int TimeSize(DateTimeOffset time) => time.UtcDateTime.Year < 2050 ? 15 : 17;

    public static int WriteTime(Span<byte> destination, DateTimeOffset time)
    {
        var t = time.UtcDateTime;
        var utc = t.Year < 2050;
        destination[0] = utc ? UtcTime : GeneralizedTime;
        destination[1] = (byte)(utc ? 13 : 15);
        var i = 2;
        if (utc)
        {
            i = Two(destination, i, t.Year % 100);
        }
        else
        {
            i = Two(destination, i, t.Year / 100);
            i = Two(destination, i, t.Year % 100);
        }

        i = Two(destination, i, t.Month);
        i = Two(destination, i, t.Day);
        i = Two(destination, i, t.Hour);
        i = Two(destination, i, t.Minute);
        i = Two(destination, i, t.Second);
        destination[i++] = (byte)'Z';
        return i;
    }

    private static int Two(Span<byte> destination, int at, int value)
    {
        destination[at] = (byte)('0' + (value / 10));
        destination[at + 1] = (byte)('0' + (value % 10));
        return at + 2;
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        var i = 0;
        while (i < value.Length && value[i] == 0)
        {
            i++;
        }

        return value[i..];
    }
}
