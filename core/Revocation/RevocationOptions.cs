namespace Pki.Core.Revocation;

/// <summary>CRL and OCSP settings. Bound from <c>Pki:Revocation</c>.</summary>
public sealed class RevocationOptions
{
    /// <summary>nextUpdate of an issuing CA's CRLs is this long after thisUpdate.</summary>
    public int CrlValidityHours { get; set; } = 24;

    /// <summary>The timer republishes a CRL whose nextUpdate is this close.</summary>
    public int CrlRefreshMarginHours { get; set; } = 12;

    /// <summary>With revocations pending in the delta CRL, the complete CRLs are rebuilt at most this often.</summary>
    public int FullCrlIntervalMinutes { get; set; } = 60;

    /// <summary>Shards per issuing CA; each certificate names its shard in its CRL distribution point. Never lower it once certificates exist.</summary>
    public int CrlShards { get; set; } = 4;

    /// <summary>
    /// A revocation publishes its shard and the delta CRL itself only when the CA's delta is at least this old; otherwise
    /// its shard stays marked pending and the CRL timer (every minute) publishes it with every other pending one.
    /// </summary>
    public int CrlRevocationIntervalSeconds { get; set; } = 60;

    /// <summary>nextUpdate of the root CA's CRL, which only an explicit operation produces.</summary>
    public int RootCrlValidityDays { get; set; } = 30;

    /// <summary>nextUpdate of an OCSP response is this long after thisUpdate; the timer re-signs at half of it.</summary>
    public int OcspValidityHours { get; set; } = 24;

    /// <summary>Lifetime of the delegated OCSP responder certificate.</summary>
    public int ResponderValidityHours { get; set; } = 7 * 24;

    /// <summary>A responder certificate with less than this left is replaced.</summary>
    public int ResponderRenewBeforeHours { get; set; } = 2 * 24;

    /// <summary>How long an instance serves a response from memory before reading storage again.</summary>
    public int OcspCacheSeconds { get; set; } = 60;

    /// <summary>
    /// Signatures per second an instance makes for OCSP requests no pre-signed or cached response answers (a nonce,
    /// another CertID hash than SHA-1, a serial we did not issue); past the budget they get tryLater, or the pre-signed
    /// response without the nonce. 0: none.
    /// </summary>
    public int OcspOnDemandSignaturesPerSecond { get; set; } = 20;

    /// <summary>How many such signatures an instance may make at once before the per-second rate limits it.</summary>
    public int OcspOnDemandSignatureBurst { get; set; } = 100;
}
