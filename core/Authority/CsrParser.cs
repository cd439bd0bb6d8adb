using System.Net;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;

namespace Pki.Core.Authority;

/// <summary>Reads a PKCS#10 request (RFC 2986) in PEM or base64 DER and proves its signature.</summary>
public static class CsrParser
{
    private const string PemBegin = "-----BEGIN ";

    private static readonly Dictionary<DerObjectIdentifier, HashAlgorithmName> RsaPkcs1Hashes = new()
    {
        [PkcsObjectIdentifiers.Sha256WithRsaEncryption] = HashAlgorithmName.SHA256,
        [PkcsObjectIdentifiers.Sha384WithRsaEncryption] = HashAlgorithmName.SHA384,
        [PkcsObjectIdentifiers.Sha512WithRsaEncryption] = HashAlgorithmName.SHA512,
    };

    private static readonly Dictionary<DerObjectIdentifier, HashAlgorithmName> EcdsaHashes = new()
    {
        [X9ObjectIdentifiers.ECDsaWithSha256] = HashAlgorithmName.SHA256,
        [X9ObjectIdentifiers.ECDsaWithSha384] = HashAlgorithmName.SHA384,
        [X9ObjectIdentifiers.ECDsaWithSha512] = HashAlgorithmName.SHA512,
    };

    private static readonly Dictionary<DerObjectIdentifier, HashAlgorithmName> PssHashes = new()
    {
        [NistObjectIdentifiers.IdSha256] = HashAlgorithmName.SHA256,
        [NistObjectIdentifiers.IdSha384] = HashAlgorithmName.SHA384,
        [NistObjectIdentifiers.IdSha512] = HashAlgorithmName.SHA512,
    };

    public static ParsedCsr Parse(string? csr)
    {
        if (string.IsNullOrWhiteSpace(csr))
        {
            throw ProblemException.BadRequest("missing-csr", "Put a PKCS#10 certificate signing request in 'csr', as PEM or base64-encoded DER.");
        }

        return Parse(Decode(csr));
    }

    public static ParsedCsr Parse(byte[] der)
    {
        Pkcs10CertificationRequest request;
        try
        {
            request = new Pkcs10CertificationRequest(der);
            // The constructor is lazy about trailing garbage; a re-encoding must match what we were given.
            if (!request.GetDerEncoded().AsSpan().SequenceEqual(der))
            {
                throw new ArgumentException("trailing or non-DER data");
            }
        }
        catch (Exception e) when (e is not ProblemException)
        {
            throw ProblemException.BadRequest("csr-malformed", $"The CSR is not a valid PKCS#10 request in PEM or base64-encoded DER ({e.Message.TrimEnd('.')}).");
        }

        // Key limits before the signature check, so huge moduli or exponents are refused without being used;
        // the key comes back re-encoded as the certificate will carry it.
        var info = request.GetCertificationRequestInfo();
        var publicKey = KeyRule.CheckKey(info.SubjectPublicKeyInfo);
        if (!VerifySignature(request, info, publicKey))
        {
            throw ProblemException.BadRequest("csr-signature-invalid", "The CSR's signature does not verify with the public key it carries; it was altered or signed with another key.");
        }

        try
        {
            return ReadNames(request, info, publicKey);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidCastException or IOException or FormatException)
        {
            throw ProblemException.BadRequest("csr-malformed", $"The CSR's subject or requested extensions are malformed ({e.Message.TrimEnd('.')}).");
        }
    }

    private static ParsedCsr ReadNames(Pkcs10CertificationRequest request, CertificationRequestInfo info, SubjectPublicKeyInfo publicKey)
    {
        var commonName = info.Subject.GetValueList(X509Name.CN).FirstOrDefault();
        var dnsNames = new List<string>();
        var ipAddresses = new List<IPAddress>();
        var unsupported = new List<string>();

        var extensions = request.GetRequestedExtensions();
        var san = extensions?.GetExtension(X509Extensions.SubjectAlternativeName);
        if (san is not null)
        {
            foreach (var name in GeneralNames.GetInstance(san.GetParsedValue()).GetNames())
            {
                switch (name.TagNo)
                {
                    case GeneralName.DnsName:
                        dnsNames.Add(DnsNames.ToLowerAscii(((IAsn1String)name.Name).GetString()));
                        break;
                    case GeneralName.IPAddress:
                        var octets = Asn1OctetString.GetInstance(name.Name).GetOctets();
                        if (octets.Length is 4 or 16)
                        {
                            ipAddresses.Add(new IPAddress(octets));
                        }
                        else
                        {
                            unsupported.Add("an IP address of " + octets.Length + " bytes");
                        }

                        break;
                    default:
                        unsupported.Add(DescribeTag(name.TagNo));
                        break;
                }
            }
        }

        // DNS names are case-insensitive; policy and the certificate see one spelling, and a commonName repeating one follows it.
        var lowerCn = commonName is null ? null : DnsNames.ToLowerAscii(commonName);
        if (lowerCn is not null && dnsNames.Contains(lowerCn, StringComparer.Ordinal))
        {
            commonName = lowerCn;
        }

        return new ParsedCsr(publicKey, commonName, dnsNames, ipAddresses, unsupported);
    }

    /// <summary>
    /// Proves the signature with .NET's (OpenSSL's) RSA and ECDSA rather than BouncyCastle's, whose RSA key object
    /// runs a primality test on the modulus: about 1.5 s of CPU per CSR at 8192 bits, spent before any refusal.
    /// </summary>
    private static bool VerifySignature(Pkcs10CertificationRequest request, CertificationRequestInfo info, SubjectPublicKeyInfo publicKey)
    {
        var algorithm = request.SignatureAlgorithm;
        var isRsa = publicKey.Algorithm.Algorithm.Equals(PkcsObjectIdentifiers.RsaEncryption);
        var (hash, padding) = SignatureScheme(algorithm);
        if ((padding is not null) != isRsa)
        {
            throw ProblemException.BadRequest("csr-signature-invalid", $"The CSR is signed with {Name(algorithm.Algorithm)}, which does not fit its {(isRsa ? "RSA" : "EC")} key.");
        }

        var signed = info.GetDerEncoded();
        var key = publicKey.GetDerEncoded();
        try
        {
            var signature = request.GetSignatureOctets();
            if (padding is not null)
            {
                using var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(key, out _);
                return rsa.VerifyData(signed, signature, hash, padding);
            }

            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(key, out _);
            return ecdsa.VerifyData(signed, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception e) when (e is CryptographicException or InvalidOperationException)
        {
            // A signature of the wrong length or shape (or a BIT STRING of odd bits) is as false as a wrong one.
            return false;
        }
    }

    /// <summary>The hash and, for RSA, the padding a signature algorithm names; SHA-1 and MD5 are refused.</summary>
    private static (HashAlgorithmName Hash, RSASignaturePadding? Padding) SignatureScheme(AlgorithmIdentifier algorithm)
    {
        var oid = algorithm.Algorithm;
        if (RsaPkcs1Hashes.TryGetValue(oid, out var pkcs1Hash))
        {
            return (pkcs1Hash, RSASignaturePadding.Pkcs1);
        }

        if (EcdsaHashes.TryGetValue(oid, out var ecdsaHash))
        {
            return (ecdsaHash, null);
        }

        if (oid.Equals(PkcsObjectIdentifiers.IdRsassaPss))
        {
            return (PssHash(algorithm), RSASignaturePadding.Pss);
        }

        throw Unsupported($"it is signed with {Name(oid)}");
    }

    /// <summary>.NET verifies PSS with MGF1 over the same hash and a salt as long as the hash; other parameters are refused by name.</summary>
    private static HashAlgorithmName PssHash(AlgorithmIdentifier algorithm)
    {
        RsassaPssParameters parameters;
        DerObjectIdentifier? mgfHash;
        int saltLength;
        try
        {
            parameters = RsassaPssParameters.GetInstance(algorithm.Parameters) ?? new RsassaPssParameters();
            var mgf = parameters.MaskGenAlgorithm;
            mgfHash = mgf.Algorithm.Equals(PkcsObjectIdentifiers.IdMgf1) ? AlgorithmIdentifier.GetInstance(mgf.Parameters)?.Algorithm : null;
            saltLength = parameters.SaltLength.IntValueExact;
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or ArithmeticException)
        {
            throw ProblemException.BadRequest("csr-malformed", "The CSR's RSASSA-PSS parameters are malformed.");
        }

        var hashOid = parameters.HashAlgorithm.Algorithm;
        if (!PssHashes.TryGetValue(hashOid, out var hash))
        {
            throw Unsupported($"its RSASSA-PSS signature uses {Name(hashOid)}");
        }

        if (!hashOid.Equals(mgfHash) || saltLength != HashLength(hash) || !parameters.TrailerField.HasValue(1))
        {
            throw Unsupported($"its RSASSA-PSS parameters are not MGF1 with {hash.Name} and a {HashLength(hash)}-byte salt");
        }

        return hash;
    }

    private static ProblemException Unsupported(string reason) =>
        ProblemException.Unprocessable("csr-signature-unsupported", $"The CSR's signature cannot be checked: {reason}. Sign it with ECDSA or RSA (PKCS#1 v1.5, or PSS with a salt as long as the hash) and SHA-256, SHA-384 or SHA-512.");

    private static int HashLength(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA256 ? 32 : hash == HashAlgorithmName.SHA384 ? 48 : 64;

    private static string Name(DerObjectIdentifier oid) =>
        SignerUtilities.GetEncodingName(oid) ?? DigestUtilities.GetAlgorithmName(oid) ?? oid.Id;

    private static byte[] Decode(string csr)
    {
        var text = csr.Trim();
        if (text.StartsWith(PemBegin, StringComparison.Ordinal))
        {
            var headerEnd = text.IndexOf("-----", PemBegin.Length, StringComparison.Ordinal);
            var label = headerEnd < 0 ? string.Empty : text[PemBegin.Length..headerEnd];
            if (label is not ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST"))
            {
                throw ProblemException.BadRequest("csr-malformed", $"The PEM block is '{Shorten(label)}', not 'CERTIFICATE REQUEST'.");
            }

            var footer = "-----END " + label + "-----";
            var footerAt = text.IndexOf(footer, StringComparison.Ordinal);
            if (footerAt < 0)
            {
                throw ProblemException.BadRequest("csr-malformed", $"The PEM block has no '{footer}' line; it is truncated.");
            }

            text = text[(headerEnd + 5)..footerAt];
        }

        try
        {
            return Convert.FromBase64String(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
        }
        catch (FormatException)
        {
            throw ProblemException.BadRequest("csr-malformed", "The CSR is neither a PEM 'CERTIFICATE REQUEST' block nor base64-encoded DER.");
        }
    }

    private static string DescribeTag(int tag) => tag switch
    {
        GeneralName.Rfc822Name => "an email address",
        GeneralName.UniformResourceIdentifier => "a URI",
        GeneralName.DirectoryName => "a directory name",
        GeneralName.OtherName => "an otherName",
        GeneralName.RegisteredID => "a registered ID",
        _ => "a name of type " + tag,
    };

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
