using Org.BouncyCastle.Math;
using Pki.Core.Authority;
using Pki.Core.Errors;

namespace Pki.Tests.Unit.Authority;

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
    public void Serials_of_one_partition_share_their_first_four_hex_digits_and_differ_in_the_other_112_bits()
    {
        var serials = Enumerable.Range(0, 1000).Select(_ => SerialNumbers.ToHex(SerialNumbers.New(0x4a21))).ToArray();
        Assert.All(serials, hex => Assert.Equal("4a21", SerialNumbers.PartitionOf(hex)));
        Assert.All(serials, hex => Assert.Equal(32, hex.Length));
        Assert.Equal(serials.Length, serials.Distinct().Count());

        // Each of the 112 drawn bits varies across the serials (a constant bit would not be random).
        var varying = Enumerable.Range(16, 112).Count(bit => serials.Select(hex => Bit(hex, bit)).Distinct().Count() == 2);
        Assert.Equal(112, varying);

        // A partition must keep the serial positive and 32 digits long.
        Assert.Throws<ArgumentOutOfRangeException>(() => SerialNumbers.New(0x00ff));
        Assert.Throws<ArgumentOutOfRangeException>(() => SerialNumbers.New(0x8000));
        Assert.All(Enumerable.Range(0, 2000).Select(_ => SerialNumbers.NewPartition()), p => Assert.InRange(p, 0x0100, 0x7fff));
    }

    private static int Bit(string hex, int bit) => (Convert.ToInt32(hex[bit / 4].ToString(), 16) >> (3 - (bit % 4))) & 1;

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
