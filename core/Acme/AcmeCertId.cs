using System.Security.Cryptography.X509Certificates;

namespace Pki.Core.Acme;

/// <summary>
/// The RFC 9773 §4.1 certificate identifier: base64url of the Authority Key Identifier's keyIdentifier, a dot, and
/// base64url of the serial number's DER INTEGER content octets.
/// </summary>
public sealed record AcmeCertId(byte[] KeyIdentifier, byte[] SerialBytes)
{
    public const int MaxLength = 200;

    /// <summary>The serial as this service writes it (lower-case hex without leading zero octets).</summary>
    public string SerialNumber => Convert.ToHexStringLower(SerialBytes.AsSpan().TrimStart((byte)0));

    public override string ToString() => Base64Url.Encode(KeyIdentifier) + "." + Base64Url.Encode(SerialBytes);

    /// <summary>Parses a certID; anything else is <c>malformed</c>.</summary>
    public static AcmeCertId Parse(string? text)
    {
        var parts = text is { Length: > 2 and <= MaxLength } ? text.Split('.') : [];
        if (parts.Length != 2)
        {
            throw AcmeProblemException.Malformed("A certificate identifier is base64url(keyIdentifier).base64url(serialNumber) (RFC 9773 §4.1).");
        }

        try
        {
            var keyId = Base64Url.Decode(parts[0]);
            var serial = Base64Url.Decode(parts[1]);
            if (keyId.Length is 0 or > 64 || serial.Length is 0 or > 21 || (serial[0] & 0x80) != 0)
            {
                throw new FormatException();
            }

            return new AcmeCertId(keyId, serial);
        }
        catch (FormatException)
        {
            throw AcmeProblemException.Malformed("A certificate identifier is base64url(keyIdentifier).base64url(serialNumber) (RFC 9773 §4.1).");
        }
    }

    /// <summary>The certID of a certificate (its AKI must carry a keyIdentifier, as every certificate of ours does).</summary>
    public static AcmeCertId Of(byte[] certificateDer)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(certificateDer);
        var aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single();
        var keyId = aki.KeyIdentifier?.ToArray() ?? throw new InvalidOperationException("The certificate's AKI has no keyIdentifier.");

        // SerialNumberBytes are the DER INTEGER's content octets, big-endian (GetSerialNumber's are reversed).
        return new AcmeCertId(keyId, certificate.SerialNumberBytes.ToArray());
    }
}
