using System.Text;
using Pki.Core.Inventory;
using Pki.Core.Reports;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Reports;

public sealed class CsvTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("CN=a, O=b", "\"CN=a, O=b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\rlf\r\n", "\"cr\rlf\r\n\"")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    [InlineData("a=b", "a=b")]
    public void Text_fields_are_quoted_as_RFC_4180_says_and_formulas_are_defused(string? value, string expected)
    {
        Assert.Equal(expected, Csv.Text(value));
    }

    [Fact]
    public void Numbers_are_never_prefixed_so_a_negative_count_stays_a_number()
    {
        Assert.Equal("-3", Csv.Number(-3));
        Assert.Equal("2026-11-27T12:00:00Z", Csv.Time(new DateTimeOffset(2026, 11, 27, 13, 0, 0, TimeSpan.FromHours(1))));
    }

    [Fact]
    public async Task A_report_with_hostile_fields_reads_back_through_Pythons_csv_module_field_for_field()
    {
        string[] hostile =
        [
            "CN=evil, O=\"Quotes\" Inc",
            "=cmd|' /C calc'!A0",
            "line one\r\nline two\nline three",
            "-2+3",
            "@evil",
            "\ttabbed",
            "ünïcödé ✓",
        ];
        var rows = hostile.Select((subject, i) => Row(subject, owner: hostile[(i + 1) % hostile.Length], daysToExpiry: i - 3)).ToArray();
        var report = new ComplianceReport(DateTimeOffset.UnixEpoch, new ReportFilter(), Pages(rows[..3], rows[3..]));
        using var stream = new AsyncOnlyStream();

        var written = await ComplianceCsvWriter.WriteAsync(report, stream);

        Assert.Equal(hostile.Length, written);
        Assert.True(stream.AsyncFlushes >= 3, "the header and each of the two pages are flushed as they are written");
        var text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.False(text.StartsWith('\uFEFF'), "no byte-order mark: RFC 4180 consumers take it for part of the first header");
        var parsed = PythonCsv.Parse(text);
        Assert.Equal(hostile.Length + 1, parsed.Count);
        Assert.Equal(ComplianceCsvWriter.Columns, parsed[0]);
        Assert.All(parsed, r => Assert.Equal(ComplianceCsvWriter.Columns.Count, r.Length));
        var subject = Column("subject");
        var owner = Column("owner");
        var days = Column("daysToExpiry");
        for (var i = 0; i < hostile.Length; i++)
        {
            Assert.Equal(Defused(hostile[i]), parsed[i + 1][subject]);
            Assert.Equal(Defused(hostile[(i + 1) % hostile.Length]), parsed[i + 1][owner]);
            Assert.Equal((i - 3).ToString(System.Globalization.CultureInfo.InvariantCulture), parsed[i + 1][days]);
        }

        // No parsed cell starts a formula: a spreadsheet shows every one as text.
        Assert.All(parsed.Skip(1).SelectMany(r => r.Where((_, j) => j != days)), c => Assert.DoesNotMatch("^[=+\\-@\t\r]", c));
    }

    [Fact]
    public async Task The_JSON_form_writes_asynchronously_flushes_per_page_and_parses()
    {
        var report = new ComplianceReport(DateTimeOffset.UnixEpoch, new ReportFilter(Team: "team"), Pages([Row("CN=a"), Row("CN=b")], [Row("CN=\"c\"")]));
        using var stream = new AsyncOnlyStream();

        Assert.Equal(3, await ComplianceJsonWriter.WriteAsync(report, stream));

        Assert.True(stream.AsyncFlushes >= 3);
        using var json = System.Text.Json.JsonDocument.Parse(stream.ToArray());
        Assert.Equal(["CN=a", "CN=b", "CN=\"c\""], json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("subject").GetString()));
        Assert.Equal(3, json.RootElement.GetProperty("count").GetInt32());
        Assert.Equal("team", json.RootElement.GetProperty("filter").GetProperty("team").GetString());
        Assert.Equal("weak-key", json.RootElement.GetProperty("items")[0].GetProperty("violations")[0].GetProperty("code").GetString());
    }

    private static string Defused(string value) => value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    private static int Column(string name) => ComplianceCsvWriter.Columns.ToList().IndexOf(name);

    private static async IAsyncEnumerable<IReadOnlyList<ComplianceRow>> Pages(params ComplianceRow[][] pages)
    {
        foreach (var page in pages)
        {
            await Task.Yield();
            yield return page;
        }
    }

    internal static ComplianceRow Row(string subject, string? owner = "o@corp.test", int daysToExpiry = 30) => new(
        new string('a', 64), "0a", subject, "CN=Issuer", null, ["a.test", "b.test"], [], ["endpoint"], false, CertificateStatuses.Valid, null,
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(90), daysToExpiry, "EC", 256, "SHA256WITHECDSA", owner, "team", DateTimeOffset.UnixEpoch,
        [new FindingView(FindingCodes.WeakKey, "high", "weak", null)], [new PolicyViolation(ViolationCodes.WeakKey, "weak, very")]);
}
