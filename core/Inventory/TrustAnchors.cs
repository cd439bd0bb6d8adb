using Microsoft.Extensions.Options;
using Pki.Core.Authority;

namespace Pki.Core.Inventory;

/// <summary>
/// The certificates a deployed chain may end at (the configured PEM files and our root CAs), and our CAs
/// by certificate, to tell which discovered certificates we issued. Our CAs are read again every few
/// minutes, since a bootstrap may add one while the process runs.
/// </summary>
public sealed class TrustAnchors(AuthorityDirectory authorities, IOptions<PkiOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMinutes(5);
    private readonly Lazy<IReadOnlyList<CertificateFacts>> _configured = new(() => LoadFiles(options.Value.Inventory.TrustAnchorFiles ?? []));
    private volatile Snapshot? _snapshot;

    /// <summary>Trust anchors: configured ones and our roots (never an issuing CA, so a missing intermediate still shows).</summary>
    public async Task<IReadOnlyList<CertificateFacts>> GetAsync(CancellationToken cancellationToken = default)
    {
        var ours = await OurAuthoritiesAsync(cancellationToken).ConfigureAwait(false);
        return [.. _configured.Value, .. ours.Where(a => a.Authority.Role == CaRole.Root).Select(a => a.Facts)];
    }

    public async Task<IReadOnlyList<(CertificateAuthority Authority, CertificateFacts Facts)>> OurAuthoritiesAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = _snapshot;
        if (snapshot is null || time.GetUtcNow() - snapshot.ReadAt > Refresh)
        {
            var list = await authorities.ListAsync(cancellationToken).ConfigureAwait(false);
            snapshot = new Snapshot(time.GetUtcNow(), list.Select(a => (a, CertificateFacts.Read(a.CertificateDer))).ToArray());
            _snapshot = snapshot;
        }

        return snapshot.Authorities;
    }

    /// <summary>The id of our CA that signed <paramref name="facts"/>, if one did.</summary>
    public async Task<string?> IssuerOfAsync(CertificateFacts facts, CancellationToken cancellationToken = default)
    {
        var ours = await OurAuthoritiesAsync(cancellationToken).ConfigureAwait(false);
        return ours.FirstOrDefault(a => facts.SignedBy(a.Facts)).Authority?.Id;
    }

    private static IReadOnlyList<CertificateFacts> LoadFiles(IEnumerable<string> files) =>
        files.SelectMany(file => Pem.ReadAll(File.ReadAllText(file), "CERTIFICATE").Select(CertificateFacts.Read)).ToArray();

    private sealed record Snapshot(DateTimeOffset ReadAt, IReadOnlyList<(CertificateAuthority Authority, CertificateFacts Facts)> Authorities);
}
