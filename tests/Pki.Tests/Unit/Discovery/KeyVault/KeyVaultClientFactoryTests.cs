using Azure.Core;
using Pki.Core.Discovery.KeyVault;

namespace Pki.Tests.Unit.Discovery.KeyVault;

public sealed class KeyVaultClientFactoryTests
{
    private static readonly KeyVaultClientFactory Factory = new(new NoCredential());

    [Fact]
    public void One_client_serves_every_spelling_of_a_vault()
    {
        var client = Factory.GetCertificateClient(new Uri("https://contoso.vault.azure.net/"));

        Assert.Same(client, Factory.GetCertificateClient(new Uri("https://CONTOSO.vault.azure.net")));
        Assert.Same(client, Factory.GetCertificateClient(new Uri("https://contoso.vault.azure.net:443/certificates/web")));
        Assert.NotSame(client, Factory.GetCertificateClient(new Uri("https://fabrikam.vault.azure.net/")));
        Assert.Equal(new Uri("https://contoso.vault.azure.net/"), client.VaultUri);
    }

    [Theory]
    [InlineData("http://contoso.vault.azure.net/")]
    [InlineData("/contoso")]
    public void A_vault_uri_that_is_not_absolute_https_is_refused(string vaultUri)
    {
        var error = Assert.Throws<ArgumentException>(() => Factory.GetCertificateClient(new Uri(vaultUri, UriKind.RelativeOrAbsolute)));

        Assert.Equal("vaultUri", error.ParamName);
        Assert.Contains("absolute https", error.Message);
    }

    [Fact]
    public void A_credential_is_required()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new KeyVaultClientFactory(null!));

        Assert.Equal("credential", error.ParamName);
    }

    private sealed class NoCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new NotSupportedException("No call is made in these tests.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new NotSupportedException("No call is made in these tests.");
    }
}
