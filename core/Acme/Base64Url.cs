namespace Pki.Core.Acme;

/// <summary>Unpadded base64url (RFC 4648 §5), as JOSE and ACME write binary values; padding or other alphabets are refused.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>Throws <see cref="FormatException"/> on anything but unpadded base64url.</summary>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('=', StringComparison.Ordinal) || !System.Buffers.Text.Base64Url.IsValid(text))
        {
            throw new FormatException("Not unpadded base64url.");
        }

        return System.Buffers.Text.Base64Url.DecodeFromChars(text);
    }
}
