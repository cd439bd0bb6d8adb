using Microsoft.Extensions.Options;

namespace Pki.Core.Acme;

/// <summary>The directory (RFC 8555 §7.1.1) and fresh nonces.</summary>
public sealed class AcmeDirectoryService(AcmeNonces nonces, IOptions<PkiOptions> options)
{
    public object Directory(string baseUrl)
    {
        var urls = new AcmeUrls(baseUrl);
        var acme = options.Value.Acme;
        return new DirectoryBody(urls.NewNonce, urls.NewAccount, urls.NewOrder, urls.RevokeCert, urls.KeyChange, urls.RenewalInfo,
            new MetaBody(acme.ExternalAccountRequired, string.IsNullOrEmpty(acme.TermsOfService) ? null : acme.TermsOfService));
    }

    public Task<string> NewNonceAsync(CancellationToken cancellationToken = default) => nonces.NewAsync(cancellationToken);

    public sealed record DirectoryBody(string NewNonce, string NewAccount, string NewOrder, string RevokeCert, string KeyChange, string RenewalInfo, MetaBody Meta);

    public sealed record MetaBody(bool ExternalAccountRequired, string? TermsOfService);
}
