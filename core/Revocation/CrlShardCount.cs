using Microsoft.Extensions.Options;
using Pki.Core.Authority;

namespace Pki.Core.Revocation;

/// <summary>The configured number of CRL shards per CA (Pki:Revocation:CrlShards).</summary>
public sealed class CrlShardCount(IOptions<PkiOptions> options) : ICrlShardCount
{
    public int Count => options.Value.Revocation.CrlShards;
}
