using Pki.Core.Signing;

namespace Pki.Tests.Unit.Signing;

public sealed class KeyUriTests
{
    [Fact]
    public void Pkcs11_uri_parses_and_prints_back_the_same()
    {
        var uri = KeyUri.Parse("pkcs11:token=pki-ca;object=issuing-2026");
        Assert.Equal("pkcs11", uri.Scheme);
        Assert.Equal("pki-ca", uri["token"]);
        Assert.Equal("issuing-2026", uri["object"]);
        Assert.Equal("pkcs11:token=pki-ca;object=issuing-2026", uri.ToString());
        Assert.Equal(uri, KeyUri.Parse("pkcs11:object=issuing-2026;token=pki-ca"));
        Assert.Equal(uri, KeyUri.Pkcs11("pki-ca", "issuing-2026"));
    }

    [Fact]
    public void Percent_escapes_are_decoded_and_re_encoded()
    {
        var uri = KeyUri.Parse("pkcs11:token=my%20token;object=a%3Bb");
        Assert.Equal("my token", uri["token"]);
        Assert.Equal("a;b", uri["object"]);
        Assert.Equal(uri, KeyUri.Parse(uri.ToString()));
    }

    [Fact]
    public void Azurekms_uri_parses_with_or_without_a_version_and_prints_back_the_same()
    {
        var uri = KeyUri.Parse("azurekms:name=issuing-ca;vault=pki-prod");
        Assert.Equal("azurekms", uri.Scheme);
        Assert.Equal("pki-prod", uri["vault"]);
        Assert.Equal("issuing-ca", uri["name"]);
        Assert.Null(uri.GetAttribute("version"));
        Assert.Equal("azurekms:vault=pki-prod;name=issuing-ca", uri.ToString());
        Assert.Equal(uri, KeyUri.AzureKms("pki-prod", "issuing-ca"));

        var pinned = KeyUri.Parse("azurekms:version=0123456789abcdef0123456789abcdef;vault=pki-prod;name=issuing-ca");
        Assert.Equal("azurekms:vault=pki-prod;name=issuing-ca;version=0123456789abcdef0123456789abcdef", pinned.ToString());
        Assert.Equal(pinned, KeyUri.Parse(pinned.ToString()));
        Assert.NotEqual(uri, pinned);
    }

    [Fact]
    public void Azurekms_factory_refuses_names_that_would_change_the_request_path()
    {
        var e = Assert.Throws<ArgumentException>(() => KeyUri.AzureKms("v", "../secrets/x"));
        Assert.Equal("name", e.ParamName);
    }

    [Theory]
    [InlineData("pkcs11:token=a;object=b;token=c", "conflicting values")]
    [InlineData("pkcs11:token=a;object=b;object=b", "repeated")]
    [InlineData("pkcs11:token=a", "missing: object")]
    [InlineData("pkcs11:token=a;object=b;slot=3", "'slot' is not known")]
    [InlineData("awskms:key=k", "not supported")]
    [InlineData("azurekms:vault=v", "missing: name")]
    [InlineData("azurekms:vault=v;name=k;version=1;version=2", "conflicting values")]
    [InlineData("azurekms:vault=v;name=a%2Fb", "letters, digits or hyphens")]
    [InlineData("azurekms:vault=v;name=k;version=ab-cd", "letters or digits")]
    [InlineData("azurekms:vault=v.example;name=k", "letters, digits or hyphens")]
    [InlineData("azurekms:vault=v;name=k;object=x", "'object' is not known")]
    [InlineData("token=a;object=b", "no scheme")]
    [InlineData("pkcs11:token=;object=b", "empty")]
    [InlineData("pkcs11:token=a%2;object=b", "badly escaped")]
    [InlineData("", "1 to 512")]
    public void Bad_uris_are_refused_with_the_reason(string value, string reason)
    {
        var e = Assert.Throws<FormatException>(() => KeyUri.Parse(value));
        Assert.Contains(reason, e.Message);
        Assert.False(KeyUri.TryParse(value, out _, out var error));
        Assert.Contains(reason, error);
    }
}
