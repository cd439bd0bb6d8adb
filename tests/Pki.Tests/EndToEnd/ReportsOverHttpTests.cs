using System.Globalization;
using System.Net;
using System.Text.Json;
using Pki.Core.Reports;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>The ownership and compliance reports over HTTP, read by an auditor, about the estate <see cref="ReportsHostFixture"/> made.</summary>
public sealed class ReportsOverHttpTests(ReportsHostFixture host) : IClassFixture<ReportsHostFixture>
{
    [Fact]
    public async Task The_ownership_report_groups_leaves_by_team_and_owner_and_lists_what_lacks_an_owner_or_team()
    {
        using var auditor = TestCallers.Auditor.Client(host.BaseAddress);
        var report = await OkJsonAsync(auditor, "/api/reports/ownership");

        var matrix = report.GetProperty("teams").EnumerateArray().ToDictionary(
            t => t.GetProperty("team").GetString()!,
            t => t.GetProperty("owners").EnumerateArray().ToDictionary(
                o => o.GetProperty("owner").GetString()!,
                o => o.GetProperty("certificates").EnumerateArray().Select(c => c.GetProperty("serialNumber").GetString()!).Order(StringComparer.Ordinal).ToArray()));
        Assert.Equal(["payments", "web"], matrix.Keys);
        Assert.Equal(["pat@corp.internal", "quinn@corp.internal"], matrix["payments"].Keys);
        Assert.Equal(new[] { host.Serials["pay-api"], host.Serials["pay-db"] }.Order(StringComparer.Ordinal), matrix["payments"]["pat@corp.internal"]);
        Assert.Equal([host.Serials["pay-ops"]], matrix["payments"]["quinn@corp.internal"]);
        Assert.Equal([ReportsHostFixture.FormulaOwner, "wendy@corp.internal"], matrix["web"].Keys.Order(StringComparer.Ordinal));
        Assert.Equal([host.Serials["web-shop"]], matrix["web"]["wendy@corp.internal"]);
        Assert.Equal(3, report.GetProperty("teams")[0].GetProperty("count").GetInt32());

        // The intermediate CA is nobody's to own here and is not listed; the owner-less leaf is, in its own section.
        var unowned = Assert.Single(report.GetProperty("unowned").EnumerateArray());
        Assert.Equal(host.Legacy.Fingerprint, unowned.GetProperty("fingerprint").GetString());
        Assert.Equal(host.Legacy.Subject, unowned.GetProperty("subject").GetString());
        Assert.False(unowned.TryGetProperty("owner", out _));
        Assert.Equal((6, 1, false), (report.GetProperty("total").GetInt32(), report.GetProperty("unownedCount").GetInt32(), report.GetProperty("truncated").GetBoolean()));

        var payments = await OkJsonAsync(auditor, "/api/reports/ownership?team=payments");
        Assert.Equal(["payments"], payments.GetProperty("teams").EnumerateArray().Select(t => t.GetProperty("team").GetString()));
        Assert.Empty(payments.GetProperty("unowned").EnumerateArray());
        Assert.Equal(3, payments.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_compliance_CSV_parses_with_Pythons_csv_module_into_exactly_the_estates_rows_with_its_violations()
    {
        using var auditor = TestCallers.Auditor.Client(host.BaseAddress);
        using var response = await auditor.GetAsync("/api/reports/compliance?format=csv");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.True(response.Headers.TransferEncodingChunked, "a streamed report has no length to announce");
        Assert.StartsWith("attachment;", response.Content.Headers.ContentDisposition?.ToString());

        var rows = PythonCsv.Parse(text);
        Assert.Equal(ComplianceCsvWriter.Columns, rows[0]);
        Assert.Equal(7, rows.Count - 1);
        Assert.All(rows, r => Assert.Equal(ComplianceCsvWriter.Columns.Count, r.Length));
        var bySerial = rows.Skip(1).ToDictionary(r => r[Column("serialNumber")]);
        Assert.Equal(new[] { "c1", "c2", "c3" }.Concat(host.Serials.Values).Order(StringComparer.Ordinal), bySerial.Keys.Order(StringComparer.Ordinal));

        var legacy = bySerial["c1"];
        Assert.Equal(host.Legacy.Subject, legacy[Column("subject")]);
        Assert.Equal(("expired", "RSA", "1024", "-30"), (legacy[Column("status")], legacy[Column("keyAlgorithm")], legacy[Column("keySize")], legacy[Column("daysToExpiry")]));
        Assert.Equal("weak-key;no-owner;no-team;expired-in-use", legacy[Column("violations")]);
        Assert.Equal("expired;weak-key", legacy[Column("findings")]);
        Assert.Contains("weak-key: RSA key of 1024 bits", legacy[Column("violationDetails")], StringComparison.Ordinal);
        Assert.Equal(("", "", "endpoint"), (legacy[Column("owner")], legacy[Column("team")], legacy[Column("sources")]));

        // The formula an owner field held reaches the spreadsheet as text.
        Assert.Equal("'" + ReportsHostFixture.FormulaOwner, bySerial["c2"][Column("owner")]);
        Assert.Equal("", bySerial["c2"][Column("violations")]);
        Assert.Equal(("true", ""), (bySerial["c3"][Column("isCa")], bySerial["c3"][Column("violations")]));

        var db = bySerial[host.Serials["pay-db"]];
        Assert.Equal(("valid", "tls-server", "payments", "pat@corp.internal", "issued", ""),
            (db[Column("status")], db[Column("profile")], db[Column("team")], db[Column("owner")], db[Column("sources")], db[Column("violations")]));
        Assert.Equal(("EC", "256", "9", host.IssuingId), (db[Column("keyAlgorithm")], db[Column("keySize")], db[Column("daysToExpiry")], db[Column("issuerCaId")]));
        Assert.Equal(host.Time.GetUtcNow().AddMinutes(-5).AddDays(10), DateTimeOffset.Parse(db[Column("notAfter")], CultureInfo.InvariantCulture));
        Assert.Equal("api.payments.internal", bySerial[host.Serials["pay-api"]][Column("dnsNames")]);
    }

    [Fact]
    public async Task The_compliance_JSON_parses_and_an_Accept_header_chooses_CSV_when_no_format_is_given()
    {
        using var auditor = TestCallers.Auditor.Client(host.BaseAddress);
        var report = await OkJsonAsync(auditor, "/api/reports/compliance");
        var items = report.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(7, items.Length);
        Assert.Equal(7, report.GetProperty("count").GetInt32());
        var legacy = items.Single(i => i.GetProperty("serialNumber").GetString() == "c1");
        Assert.Equal(["weak-key", "no-owner", "no-team", "expired-in-use"], legacy.GetProperty("violations").EnumerateArray().Select(v => v.GetProperty("code").GetString()));
        Assert.Equal(JsonValueKind.Null, legacy.GetProperty("owner").ValueKind);
        Assert.Equal(1024, legacy.GetProperty("keySize").GetInt32());
        Assert.Contains(legacy.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "expired" && f.GetProperty("severity").GetString() == "critical");
        var ours = items.Single(i => i.GetProperty("serialNumber").GetString() == host.Serials["web-shop"]);
        Assert.Equal(("web", "wendy@corp.internal", "tls-server", "valid"),
            (ours.GetProperty("team").GetString(), ours.GetProperty("owner").GetString(), ours.GetProperty("profile").GetString(), ours.GetProperty("status").GetString()));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/reports/compliance?team=web");
        request.Headers.Accept.ParseAdd("text/csv");
        using var csv = await auditor.SendAsync(request);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal(3, PythonCsv.Parse(await csv.Content.ReadAsStringAsync()).Count);
    }

    [Fact]
    public async Task Team_and_expiry_filters_select_the_rows_in_both_reports()
    {
        using var auditor = TestCallers.Auditor.Client(host.BaseAddress);
        var now = host.Time.GetUtcNow();
        string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

        Assert.Equal(new[] { "pay-api", "pay-db", "pay-ops" }.Select(n => host.Serials[n]).Order(StringComparer.Ordinal), await SerialsAsync(auditor, "team=payments"));
        Assert.Equal(new[] { host.Serials["pay-db"], "c1" }.Order(StringComparer.Ordinal), await SerialsAsync(auditor, "expiresTo=" + Iso(now.AddDays(20))));
        Assert.Equal([host.Serials["pay-db"]], await SerialsAsync(auditor, $"expiresFrom={Iso(now)}&expiresTo={Iso(now.AddDays(20))}"));
        Assert.Equal(["c3"], await SerialsAsync(auditor, "expiresFrom=" + now.AddDays(500).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        Assert.Empty(await SerialsAsync(auditor, $"team=web&expiresTo={Iso(now.AddDays(20))}"));

        var soon = await OkJsonAsync(auditor, $"/api/reports/ownership?expiresTo={Iso(now.AddDays(20))}");
        Assert.Equal(2, soon.GetProperty("total").GetInt32());
        Assert.Equal("pay-db", host.Serials.Single(s => s.Value == soon.GetProperty("teams")[0].GetProperty("owners")[0].GetProperty("certificates")[0].GetProperty("serialNumber").GetString()).Key);
    }

    [Theory]
    [InlineData("/api/reports/ownership")]
    [InlineData("/api/reports/compliance")]
    [InlineData("/api/reports/compliance?format=csv")]
    public async Task Requesters_and_approvers_are_refused_and_an_admin_reads(string path)
    {
        using var requester = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        using var approver = TestCallers.Approver.Client(host.BaseAddress);
        var problem = await (await requester.GetAsync(path)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-permission");
        Assert.Contains("ReadReports", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await approver.GetAsync(path)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing-permission");
        using var admin = await host.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Theory]
    [InlineData("expiresFrom=yesterday", "invalid-filter")]
    [InlineData("expiresTo=2026-02-30", "invalid-filter")]
    [InlineData("expiresFrom=2026-12-01T00:00:00", "invalid-filter")]
    [InlineData("expiresFrom=2027-01-02&expiresTo=2027-01-01", "invalid-filter")]
    [InlineData("team=a&team=b", "invalid-filter")]
    [InlineData("team=", "invalid-filter")]
    [InlineData("format=xml", "invalid-format")]
    public async Task Malformed_filters_are_a_400_problem_for_both_reports(string query, string type)
    {
        using var auditor = TestCallers.Auditor.Client(host.BaseAddress);
        await (await auditor.GetAsync("/api/reports/compliance?" + query)).AssertProblemAsync(HttpStatusCode.BadRequest, type);
        if (type == "invalid-filter")
        {
            await (await auditor.GetAsync("/api/reports/ownership?" + query)).AssertProblemAsync(HttpStatusCode.BadRequest, type);
        }
    }

    private static int Column(string name) => ComplianceCsvWriter.Columns.ToList().IndexOf(name);

    private static async Task<string[]> SerialsAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync("/api/reports/compliance?format=csv&" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return [.. PythonCsv.Parse(text).Skip(1).Select(r => r[Column("serialNumber")]).Order(StringComparer.Ordinal)];
    }

    private static async Task<JsonElement> OkJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
