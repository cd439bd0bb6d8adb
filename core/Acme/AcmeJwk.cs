using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pki.Core.Acme;

/// <summary>
/// An account (or certificate) public key as a JWK (RFC 7517): RSA of 2048 to 4096 bits, or EC P-256 / P-384. Parsed
/// once, checked against the JWS algorithm, verified with System.Security.Cryptography, and named by its RFC 7638
/// thumbprint, which is how accounts are found by key.
/// </summary>
public sealed class AcmeJwk
{
    public const int MinRsaBits = 2048;
    public const int MaxRsaBits = 4096;

    private AcmeJwk(string keyType, string? curve, RSAParameters? rsa, ECParameters? ec, string canonicalJson)
    {
        KeyType = keyType;
        Curve = curve;
        _rsa = rsa;
        _ec = ec;
        CanonicalJson = canonicalJson;
        Thumbprint = Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));
    }

    private readonly RSAParameters? _rsa;
    private readonly ECParameters? _ec;

    /// <summary>RSA or EC.</summary>
    public string KeyType { get; }

    /// <summary>P-256 or P-384 for EC keys.</summary>
    public string? Curve { get; }

    /// <summary>The required members in lexicographic order without whitespace (RFC 7638 §3), also how the key is stored.</summary>
    public string CanonicalJson { get; }

    /// <summary>The base64url SHA-256 thumbprint of <see cref="CanonicalJson"/>.</summary>
    public string Thumbprint { get; }

    /// <summary>Parses a JWK; a malformed, unsupported or weak key is <c>badPublicKey</c>.</summary>
    public static AcmeJwk Parse(JsonElement jwk)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            throw BadKey("The jwk header must be a JSON object.");
        }

        var kty = Member(jwk, "kty");
        switch (kty)
        {
            case "RSA":
            {
                var n = Bytes(jwk, "n");
                var e = Bytes(jwk, "e");
                var modulus = n.AsSpan().TrimStart((byte)0).ToArray();
                var bits = modulus.Length * 8 - (modulus.Length == 0 ? 0 : byte.LeadingZeroCount(modulus[0]));
                if (bits is < MinRsaBits or > MaxRsaBits)
                {
                    throw BadKey($"The RSA account key has {bits} bits; {MinRsaBits} to {MaxRsaBits} are accepted.");
                }

                var exponent = e.AsSpan().TrimStart((byte)0).ToArray();
                if (exponent.Length is 0 or > 4 || (exponent[^1] & 1) == 0 || (exponent.Length == 1 && exponent[0] < 3))
                {
                    throw BadKey("The RSA account key's public exponent must be odd and at least 3.");
                }

                var canonical = $"{{\"e\":\"{Base64Url.Encode(exponent)}\",\"kty\":\"RSA\",\"n\":\"{Base64Url.Encode(modulus)}\"}}";
                return new AcmeJwk("RSA", null, new RSAParameters { Modulus = modulus, Exponent = exponent }, null, canonical);
            }

            case "EC":
            {
                var crv = Member(jwk, "crv");
                var (curve, size) = crv switch
                {
                    "P-256" => (ECCurve.NamedCurves.nistP256, 32),
                    "P-384" => (ECCurve.NamedCurves.nistP384, 48),
                    _ => throw BadKey($"The EC account key's curve '{crv}' is not accepted; use P-256 or P-384."),
                };
                var x = Bytes(jwk, "x");
                var y = Bytes(jwk, "y");
                if (x.Length != size || y.Length != size)
                {
                    throw BadKey($"The {crv} key's coordinates must be {size} bytes each.");
                }

                var parameters = new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } };
                try
                {
                    // Refuses a point that is not on the curve.
                    using var check = ECDsa.Create(parameters);
                }
                catch (CryptographicException)
                {
                    throw BadKey($"The {crv} key's point is not on the curve.");
                }

                var canonical = $"{{\"crv\":\"{crv}\",\"kty\":\"EC\",\"x\":\"{Base64Url.Encode(x)}\",\"y\":\"{Base64Url.Encode(y)}\"}}";
                return new AcmeJwk("EC", crv, null, parameters, canonical);
            }

            default:
                throw BadKey($"The key type '{kty}' is not accepted; use RSA or EC.");
        }
    }

    /// <summary>Parses the canonical JSON this type stored.</summary>
    public static AcmeJwk FromCanonical(string canonicalJson)
    {
        using var document = JsonDocument.Parse(canonicalJson);
        return Parse(document.RootElement);
    }

    /// <summary>Whether <paramref name="alg"/> is this key's algorithm: RS256 for RSA, ES256 for P-256, ES384 for P-384.</summary>
    public bool Fits(string alg) => (alg, KeyType, Curve) is ("RS256", "RSA", _) or ("ES256", "EC", "P-256") or ("ES384", "EC", "P-384");

    /// <summary>Verifies a JWS signature (RFC 7518 §3.3, §3.4: PKCS#1 v1.5, or ECDSA as raw r||s).</summary>
    public bool Verify(string alg, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        if (!Fits(alg))
        {
            return false;
        }

        if (_rsa is { } rsaParameters)
        {
            using var rsa = RSA.Create(rsaParameters);
            return signature.Length == rsaParameters.Modulus!.Length
                && rsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        using var ec = ECDsa.Create(_ec!.Value);
        var hash = Curve == "P-384" ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
        var size = Curve == "P-384" ? 96 : 64;
        return signature.Length == size && ec.VerifyData(signingInput, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Whether <paramref name="subjectPublicKeyInfo"/> (DER) is this same key (revocation by certificate key).</summary>
    public bool SameKeyAs(byte[] subjectPublicKeyInfo)
    {
        ArgumentNullException.ThrowIfNull(subjectPublicKeyInfo);
        byte[] mine;
        if (_rsa is { } rsaParameters)
        {
            using var rsa = RSA.Create(rsaParameters);
            mine = rsa.ExportSubjectPublicKeyInfo();
        }
        else
        {
            using var ec = ECDsa.Create(_ec!.Value);
            mine = ec.ExportSubjectPublicKeyInfo();
        }

        return mine.AsSpan().SequenceEqual(subjectPublicKeyInfo);
    }

    private static string Member(JsonElement jwk, string name) =>
        jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw BadKey($"The jwk lacks its '{name}' member.");

    private static byte[] Bytes(JsonElement jwk, string name)
    {
        var text = Member(jwk, name);
        try
        {
            return Base64Url.Decode(text);
        }
        catch (FormatException)
        {
            throw BadKey($"The jwk member '{name}' is not base64url.");
        }
    }

    private static AcmeProblemException BadKey(string detail) => new(Errors.ProblemKind.BadRequest, AcmeErrors.BadPublicKey, detail);
}
