using Pki.Core.Authority.Policy;

namespace Pki.Tests.Unit.Authority.Policy;

public sealed class DnsNamesTests
{
    [Theory]
    [InlineData("web.internal")]
    [InlineData("*.svc.internal")]
    [InlineData("xn--bcher-kva.internal")]
    [InlineData("XN--BCHER-KVA.internal")]
    [InlineData("a--b.internal")]
    public void Well_formed_names_and_valid_punycode_are_valid(string name)
    {
        Assert.True(DnsNames.IsValid(name, out var reason), reason);
    }

    [Theory]
    [InlineData("xn--a.internal", "xn--a")]
    [InlineData("web.XN--A.internal", "XN--A")]
    [InlineData("xn--abc.internal", "xn--abc")]
    [InlineData("api.xn--web-.internal", "hyphen")]
    public void Labels_starting_with_xn_that_are_not_punycode_are_invalid(string name, string fragment)
    {
        Assert.False(DnsNames.IsValid(name, out var reason));
        Assert.Contains(fragment, reason);
    }

    [Fact]
    public void Invalid_punycode_is_named_as_such()
    {
        Assert.False(DnsNames.IsValid("xn--a.internal", out var reason));
        Assert.Contains("not valid punycode", reason);
    }

    [Theory]
    [InlineData("Web.Internal", "web.internal")]
    [InlineData("web.internal", "web.internal")]
    [InlineData("*.API.svc.internal", "*.api.svc.internal")]
    [InlineData("XN--BCHER-KVA.internal", "xn--bcher-kva.internal")]
    public void Names_are_lower_cased(string name, string lower)
    {
        Assert.Equal(lower, DnsNames.ToLowerAscii(name));
    }

    [Fact]
    public void Lower_casing_folds_no_other_character_into_ascii()
    {
        // U+212A KELVIN SIGN lower-cases to 'k' under Unicode rules; kept, the name stays refused as not ASCII.
        var kelvin = "\u212Aey.internal";
        Assert.Equal(kelvin, DnsNames.ToLowerAscii(kelvin));
        Assert.False(DnsNames.IsValid(DnsNames.ToLowerAscii(kelvin), out _));
    }
}
