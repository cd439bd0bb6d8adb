namespace Pki.Core.Revocation;

public enum CrlKind
{
    /// <summary>Every revoked certificate of the CA.</summary>
    Full,

    /// <summary>What was revoked since the complete CRL it names (deltaCRLIndicator).</summary>
    Delta,

    /// <summary>One shard's revoked certificates (issuingDistributionPoint).</summary>
    Shard,
}
