using Pki.Core.Signing;

namespace Pki.Core.Authority;

/// <summary>The CA hierarchy to bootstrap. Bound from <c>Pki:Ca</c>.</summary>
public sealed class AuthorityOptions
{
    public string RootId { get; set; } = "root-ca";

    public string RootSubject { get; set; } = "CN=Serverless PKI Root CA,O=Serverless PKI";

    public KeyAlgorithm RootKeyAlgorithm { get; set; } = KeyAlgorithm.EcP384;

    public int RootValidityDays { get; set; } = 20 * 365;

    public string IssuingId { get; set; } = "issuing-ca-1";

    public string IssuingSubject { get; set; } = "CN=Serverless PKI Issuing CA 1,O=Serverless PKI";

    public KeyAlgorithm IssuingKeyAlgorithm { get; set; } = KeyAlgorithm.EcP256;

    /// <summary>RSA CAs sign PKCS#1 v1.5 unless this names RsaPssSha256.</summary>
    public SignatureScheme? IssuingSignatureScheme { get; set; }

    public int IssuingValidityDays { get; set; } = 5 * 365;

    /// <summary>
    /// Seconds after its reservation an unfinished issuance whose certificate is stored is finished by the repair pass.
    /// A live request finishes it within milliseconds; finishing it twice writes nothing twice.
    /// </summary>
    public int RepairSettleSeconds { get; set; } = 30;

    /// <summary>
    /// Seconds after its reservation an issuance whose certificate was never stored is given up by the repair pass (its
    /// serial recorded as never issued). Longer than any signature may take: Key Vault throttling waits up to 6 minutes.
    /// </summary>
    public int AbandonAfterSeconds { get; set; } = 600;

    /// <summary>Create the hierarchy at start-up when it is absent (idempotent).</summary>
    public bool BootstrapOnStart { get; set; } = true;
}
