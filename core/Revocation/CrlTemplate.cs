namespace Pki.Core.Revocation;

/// <summary>Everything of a CRL except its entries and signature.</summary>
/// <param name="IssuerName">The DER Name exactly as the CA certificate's subject carries it.</param>
/// <param name="AuthorityKeyId">The CA's subject key identifier.</param>
/// <param name="BaseCrlNumber">Set for a delta CRL: the number of the complete CRL it extends.</param>
/// <param name="DistributionPoint">Set for a shard: the URL in its issuingDistributionPoint.</param>
/// <param name="FreshestCrl">Set for a complete CRL that has deltas: where the delta is.</param>
public sealed record CrlTemplate(
    byte[] IssuerName,
    byte[] AuthorityKeyId,
    long CrlNumber,
    DateTimeOffset ThisUpdate,
    DateTimeOffset NextUpdate,
    long? BaseCrlNumber = null,
    string? DistributionPoint = null,
    string? FreshestCrl = null);
