using System.Globalization;

namespace Pki.Core.Revocation;

/// <summary>Names one CRL of one CA.</summary>
public sealed record CrlId(string IssuerId, CrlKind Kind, int Shard = 0)
{
    public static CrlId Full(string issuerId) => new(issuerId, CrlKind.Full);

    public static CrlId Delta(string issuerId) => new(issuerId, CrlKind.Delta);

    public static CrlId ForShard(string issuerId, int shard) => new(issuerId, CrlKind.Shard, shard);

    public override string ToString() => Kind switch
    {
        CrlKind.Full => IssuerId + "/full",
        CrlKind.Delta => IssuerId + "/delta",
        _ => IssuerId + "/shard-" + Shard.ToString(CultureInfo.InvariantCulture),
    };
}
