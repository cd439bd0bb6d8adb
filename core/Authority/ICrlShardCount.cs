namespace Pki.Core.Authority;

/// <summary>
/// How many CRL shards each issuing CA's certificates are spread over. The issuer stamps every new certificate with its
/// shard (<see cref="CrlShards.Of"/>, named in its CRL distribution point); the setting is the revocation capability's,
/// which answers.
/// </summary>
public interface ICrlShardCount
{
    int Count { get; }
}
