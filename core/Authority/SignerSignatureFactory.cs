using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Pki.Core.Signing;
using ISigner = Pki.Core.Signing.ISigner;

namespace Pki.Core.Authority;

/// <summary>
/// Lets BouncyCastle build certificates while the signature itself comes from our signer (HSM or
/// vault): BouncyCastle streams the TBS bytes in, the signer signs them.
/// </summary>
public sealed class SignerSignatureFactory(ISigner signer) : ISignatureFactory
{
    public object AlgorithmDetails { get; } = AlgorithmIdentifierFor(signer.Scheme);

    public IStreamCalculator<IBlockResult> CreateCalculator() => new Calculator(signer);

    public static AlgorithmIdentifier AlgorithmIdentifierFor(SignatureScheme scheme) => scheme switch
    {
        SignatureScheme.EcdsaSha256 => new AlgorithmIdentifier(X9ObjectIdentifiers.ECDsaWithSha256),
        SignatureScheme.EcdsaSha384 => new AlgorithmIdentifier(X9ObjectIdentifiers.ECDsaWithSha384),
        SignatureScheme.RsaPkcs1Sha256 => new AlgorithmIdentifier(PkcsObjectIdentifiers.Sha256WithRsaEncryption, DerNull.Instance),
        SignatureScheme.RsaPssSha256 => new AlgorithmIdentifier(PkcsObjectIdentifiers.IdRsassaPss, PssSha256Parameters()),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown signature scheme."),
    };

    private static RsassaPssParameters PssSha256Parameters()
    {
        var sha256 = new AlgorithmIdentifier(NistObjectIdentifiers.IdSha256, DerNull.Instance);
        return new RsassaPssParameters(
            sha256,
            new AlgorithmIdentifier(PkcsObjectIdentifiers.IdMgf1, sha256),
            DerInteger.ValueOf(32),
            DerInteger.ValueOf(1));
    }

    private sealed class Calculator(ISigner signer) : IStreamCalculator<IBlockResult>
    {
        private readonly MemoryStream _buffer = new();

        public Stream Stream => _buffer;

        // BouncyCastle closes the stream before asking for the result; ToArray still works on a closed MemoryStream.
        public IBlockResult GetResult() => new SimpleBlockResult(signer.Sign(_buffer.ToArray()));
    }
}
