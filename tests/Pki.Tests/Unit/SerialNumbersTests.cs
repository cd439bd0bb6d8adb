using Org.BouncyCastle.Math;
using Pki.Core.Authority;
using Pki.Core.Errors;

namespace Pki.Tests.Unit;

public sealed class SerialNumbersTests
{
    [Fact]
    public void New_serials_are_positive_16_byte_values_and_do_not_repeat()
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 2000; i++)
        {
            var serial = SerialNumbers.New();
            Assert.Equal(1, serial.SignValue);
            var hex = SerialNumbers.ToHex(serial);
            Assert.Matches("^[0-7][0-9a-f]{31}$", hex);
            Assert.NotEqual("00", hex[..2]);
            Assert.True(seen.Add(hex));
        }
    }

    [Fact]
    public void A_serial_whose_first_byte_is_small_keeps_its_leading_zero_nibble_like_openssl_prints_it()
    {
        var serial = new BigInteger(1, [0x0a, .. new byte[15]]);
        Assert.Equal("0a" + new string('0', 30), SerialNumbers.ToHex(serial));
        Assert.Equal("0a" + new string('0', 30), SerialNumbers.Normalize("0A:" + string.Join(':', Enumerable.Repeat("00", 15))));
    }

    [Theory]
    [InlineData("ABCD", "abcd")]
    [InlineData("ab:cd", "abcd")]
    [InlineData("0000abcd", "abcd")]
    [InlineData("abc", "0abc")]
    public void Typed_serials_are_normalised(string typed, string canonical) =>
        Assert.Equal(canonical, SerialNumbers.Normalize(typed));

    [Theory]
    [InlineData("")]
    [InlineData("xyz")]
    [InlineData("12 34")]
    public void Non_hex_serials_are_a_bad_request(string typed) =>
        Assert.Equal(ProblemKind.BadRequest, Assert.Throws<ProblemException>(() => SerialNumbers.Normalize(typed)).Kind);
}
