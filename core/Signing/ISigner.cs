namespace Pki.Core.Signing;

/// <summary>Signs with one key and one scheme; returns the signature value as X.509 carries it (DER for ECDSA).</summary>
public interface ISigner
{
    KeyDescription Key { get; }

    SignatureScheme Scheme { get; }

    /// <summary>Signs the data; the signer hashes it as the scheme requires.</summary>
    byte[] Sign(ReadOnlySpan<byte> data);
}
