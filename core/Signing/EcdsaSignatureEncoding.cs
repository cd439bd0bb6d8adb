using System.Formats.Asn1;

namespace Pki.Core.Signing;

/// <summary>
/// PKCS#11 (CKM_ECDSA) and Key Vault return ECDSA signatures as raw r||s; X.509, CRLs and OCSP carry
/// the DER SEQUENCE { INTEGER r, INTEGER s }. Both backends convert through this one function.
/// </summary>
public static class EcdsaSignatureEncoding
{
    public static byte[] RawToDer(ReadOnlySpan<byte> raw)
    {
        if (raw.Length == 0 || raw.Length % 2 != 0)
        {
            throw new ArgumentException($"A raw ECDSA signature is r||s of equal halves; got {raw.Length} bytes.", nameof(raw));
        }

        var half = raw.Length / 2;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(TrimLeadingZeros(raw[..half]));
            writer.WriteIntegerUnsigned(TrimLeadingZeros(raw[half..]));
        }

        return writer.Encode();
    }

    /// <summary>DER SEQUENCE { r, s } to raw r||s with each half padded to the field size.</summary>
    public static byte[] DerToRaw(ReadOnlySpan<byte> der, int fieldSizeBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fieldSizeBytes);
        var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        var r = sequence.ReadIntegerBytes().Span;
        var s = sequence.ReadIntegerBytes().Span;
        sequence.ThrowIfNotEmpty();
        reader.ThrowIfNotEmpty();

        var raw = new byte[fieldSizeBytes * 2];
        CopyPadded(r, raw.AsSpan(0, fieldSizeBytes));
        CopyPadded(s, raw.AsSpan(fieldSizeBytes));
        return raw;
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        var i = 0;
        while (i < value.Length - 1 && value[i] == 0)
        {
            i++;
        }

        return value[i..];
    }

    private static void CopyPadded(ReadOnlySpan<byte> integer, Span<byte> destination)
    {
        var trimmed = TrimLeadingZeros(integer);
        if (trimmed.Length > destination.Length)
        {
            throw new ArgumentException("An ECDSA signature component is larger than the field size.");
        }

        trimmed.CopyTo(destination[(destination.Length - trimmed.Length)..]);
    }
}
