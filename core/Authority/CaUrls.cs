using Microsoft.Extensions.Options;

namespace Pki.Core.Authority;

/// <summary>The public URLs written into certificates: CRL distribution point, OCSP and caIssuers.</summary>
public sealed class CaUrls(IOptions<PkiOptions> options)
{
    private readonly string _base = options.Value.PublicBaseUrl.TrimEnd('/') + "/" + Routes.Prefix + "/";

    public string Crl(string caId) => _base + Routes.AuthorityCrl.Replace("{id}", Uri.EscapeDataString(caId), StringComparison.Ordinal);

    public string DeltaCrl(string caId) => Crl(caId) + "/" + Routes.DeltaCrlSegment;

    public string ShardCrl(string caId, int shard) => Crl(caId) + "/" + shard.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Ocsp() => _base + Routes.Ocsp;

    /// <summary>RFC 5280 4.2.2.1 wants DER at a caIssuers HTTP URI; the query asks for it without an Accept header.</summary>
    public string CaIssuers(string caId) =>
        _base + Routes.AuthorityCertificate.Replace("{id}", Uri.EscapeDataString(caId), StringComparison.Ordinal) + "?format=der";
}
