using System.Security.Cryptography;
using Pki.Core.Signing;

namespace Pki.Tests.Unit.Signing;

public sealed class EcdsaSignatureEncodingTests
{
    public static TheoryData<string, int> Curves => new() { { "nistP256", 32 }, { "nistP384", 48 } };

    [Theory]
    [MemberData(nameof(Curves))]
    public void Raw_signature_converted_to_der_verifies_with_dotnet_in_rfc3279_format(string curve, int fieldSize)
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        var data = RandomNumberGenerator.GetBytes(100);
        for (var i = 0; i < 50; i++)
        {
            var raw = key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            Assert.Equal(2 * fieldSize, raw.Length);
            var der = EcdsaSignatureEncoding.RawToDer(raw);
            Assert.True(key.VerifyData(data, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
            Assert.Equal(raw, EcdsaSignatureEncoding.DerToRaw(der, fieldSize));
        }
    }

    [Fact]
    public void High_bit_components_get_a_zero_byte_and_leading_zeros_are_dropped()
    {
        var raw = new byte[64];
        raw[0] = 0x80; // r = 0x80 00..00: needs a 0x00 pad to stay positive
        raw[31] = 0x01;
        raw[63] = 0x05; // s = 5: 31 leading zero bytes dropped

        var der = EcdsaSignatureEncoding.RawToDer(raw);

        var expected = new byte[] { 0x30, 0x26, 0x02, 0x21, 0x00, 0x80 }
            .Concat(new byte[30]).Concat(new byte[] { 0x01, 0x02, 0x01, 0x05 }).ToArray();
        Assert.Equal(expected, der);
        Assert.Equal(raw, EcdsaSignatureEncoding.DerToRaw(der, 32));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    public void Odd_or_empty_input_is_refused_naming_the_parameter(int length)
    {
        var e = Assert.Throws<ArgumentException>(() => EcdsaSignatureEncoding.RawToDer(new byte[length]));
        Assert.Equal("raw", e.ParamName);
        Assert.Contains("equal halves", e.Message);
    }
}
