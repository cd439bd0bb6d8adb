namespace Pki.Core.Authority;

/// <summary>Which CRL shard a certificate belongs to; fixed at issuance and stored with the certificate.</summary>
public static class CrlShards
{
    public const int Max = 64;

    /// <summary>Serials are random, so their last byte spreads certificates evenly over the shards.</summary>
    public static int Of(string serialHex, int shards) =>
        shards <= 1 ? 0 : Convert.FromHexString(serialHex)[^1] % shards;
}
