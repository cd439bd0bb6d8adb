using System.Security.Cryptography;
using System.Text.Json;
using Pki.Core.Acme;

namespace Pki.Tests.Unit.Acme;

public sealed class AcmeJwkTests
{
    // RFC 7638 §3.1: the example RSA key and its thumbprint, computed by the RFC's authors, not by us.
    private const string Rfc7638Key = """
        {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
        """;

    [Fact]
    public void Thumbprint_of_the_rfc_7638_example_key_is_the_rfcs()
    {
        using var document = JsonDocument.Parse(Rfc7638Key);
        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", AcmeJwk.Parse(document.RootElement).Thumbprint);
    }

    [Theory]
    [InlineData("P-256", "ES256")]
    [InlineData("P-384", "ES384")]
    public void Ec_signature_verifies_under_its_algorithm_only(string curve, string alg)
    {
        using var key = ECDsa.Create(curve == "P-256" ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384);
        var p = key.ExportParameters(false);
        var jwk = Parse($$"""{"kty":"EC","crv":"{{curve}}","x":"{{Base64Url.Encode(p.Q.X)}}","y":"{{Base64Url.Encode(p.Q.Y)}}"}""");
        var input = "header.payload"u8.ToArray();
        var signature = key.SignData(input, curve == "P-256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384);
        Assert.True(jwk.Verify(alg, input, signature));
        Assert.False(jwk.Verify("RS256", input, signature));
        Assert.False(jwk.Verify(alg == "ES256" ? "ES384" : "ES256", input, signature));
        Assert.False(jwk.Verify(alg, "header.other"u8, signature));

        // A DER-encoded ECDSA signature is not the JWS form (raw r||s).
        Assert.False(jwk.Verify(alg, input, key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
    }

    [Fact]
    public void Rsa_keys_under_2048_bits_and_unknown_curves_are_bad_public_keys()
    {
        using var weak = RSA.Create(1024);
        var p = weak.ExportParameters(false);
        var e = Assert.Throws<AcmeProblemException>(() => Parse($$"""{"kty":"RSA","n":"{{Base64Url.Encode(p.Modulus)}}","e":"AQAB"}"""));
        Assert.Equal(AcmeErrors.BadPublicKey, e.AcmeType);
        Assert.Contains("1024 bits", e.Detail);
        Assert.Equal(AcmeErrors.BadPublicKey, Assert.Throws<AcmeProblemException>(() => Parse("""{"kty":"EC","crv":"P-521","x":"AA","y":"AA"}""")).AcmeType);
        Assert.Equal(AcmeErrors.BadPublicKey, Assert.Throws<AcmeProblemException>(() => Parse("""{"kty":"oct","k":"AAAA"}""")).AcmeType);
    }

    [Fact]
    public void Ec_point_off_the_curve_is_a_bad_public_key()
    {
        var x = new byte[32];
        var y = new byte[32];
        x[31] = 1;
        y[31] = 1;
        var e = Assert.Throws<AcmeProblemException>(() => Parse($$"""{"kty":"EC","crv":"P-256","x":"{{Base64Url.Encode(x)}}","y":"{{Base64Url.Encode(y)}}"}"""));
        Assert.Equal(AcmeErrors.BadPublicKey, e.AcmeType);
    }

    private static AcmeJwk Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return AcmeJwk.Parse(document.RootElement);
    }
}
