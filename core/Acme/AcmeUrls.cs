namespace Pki.Core.Acme;

/// <summary>The absolute URLs of ACME resources under a base URL such as <c>https://pki.corp:8443/api</c>.</summary>
public sealed record AcmeUrls(string BaseUrl)
{
    public string Directory => Of(AcmeRoutes.Directory);

    public string NewNonce => Of(AcmeRoutes.NewNonce);

    public string NewAccount => Of(AcmeRoutes.NewAccount);

    public string NewOrder => Of(AcmeRoutes.NewOrder);

    public string RevokeCert => Of(AcmeRoutes.RevokeCert);

    public string KeyChange => Of(AcmeRoutes.KeyChange);

    public string RenewalInfo => Of(AcmeRoutes.RenewalInfoBase);

    public string Account(string id) => Of(AcmeRoutes.Account, id);

    public string Order(string id) => Of(AcmeRoutes.Order, id);

    public string Finalize(string id) => Of(AcmeRoutes.Finalize, id);

    public string Authorization(string id) => Of(AcmeRoutes.Authorization, id);

    public string Challenge(string authorizationId, string type) => Of(AcmeRoutes.Challenge.Replace("{type}", type, StringComparison.Ordinal), authorizationId);

    public string Certificate(string orderId) => Of(AcmeRoutes.Certificate, orderId);

    public string CertificateWithRoot(string orderId) => Of(AcmeRoutes.CertificateWithRoot, orderId);

    /// <summary>The account id a <c>kid</c> names, or null when it is not this server's account URL under this base.</summary>
    public string? AccountIdOf(string kid)
    {
        var prefix = Of(AcmeRoutes.Account, string.Empty);
        if (!kid.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var id = kid[prefix.Length..];
        return id.Length is > 0 and <= 64 && id.All(char.IsAsciiLetterOrDigit) ? id : null;
    }

    private string Of(string route, string? id = null) =>
        BaseUrl + "/" + (id is null ? route : route.Replace("{id}", id, StringComparison.Ordinal));
}
