namespace Pki.Core.Authority;

public static class Pem
{
    public static string Certificate(byte[] der) => new(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE", der));

    /// <summary>The DER of every PEM block labelled <paramref name="label"/> in <paramref name="text"/>, in order.</summary>
    public static IEnumerable<byte[]> ReadAll(string text, string label)
    {
        var rest = text.AsMemory();
        while (System.Security.Cryptography.PemEncoding.TryFind(rest.Span, out var fields))
        {
            var block = rest[fields.Location];
            if (rest.Span[fields.Label].SequenceEqual(label))
            {
                yield return Convert.FromBase64String(block[fields.Base64Data].ToString());
            }

            rest = rest[fields.Location.End..];
        }
    }
}
