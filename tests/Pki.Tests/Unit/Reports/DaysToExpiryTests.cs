using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Inventory;
using Pki.Core.Notifications;
using Pki.Core.Reports;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Reports;

/// <summary>Issue 16 item 8: an expired certificate is the same number of days past expiry in the report as in the mail.</summary>
public sealed class DaysToExpiryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(-10.5, -10, "expired 10 days ago")]
    [InlineData(-0.25, 0, "expired today")]
    [InlineData(6.5, 6, "expires in 6 days")]
    public async Task The_compliance_report_and_the_notice_count_days_by_one_rule(double daysLeft, int expected, string text)
    {
        var notAfter = Now.AddDays(daysLeft);
        var item = new InventoryItem(new string('a', 64), "CN=old.internal", "CN=Some CA", "0a", notAfter.AddDays(-90), notAfter, ["old.internal"], [], "EC", 256,
            "SHA256WITHECDSA", false, InventorySources.Endpoint, "olga@corp.internal", "fleet", OwnerSource.Api, Now.AddDays(-100), Now, null, false, []);
        var options = Options.Create(new PkiOptions());
        var reports = new ReportService(new OnePageStore(item), new InMemoryCertificateStore(), new ProfileCatalog(options), options, new FakeTimeProvider(Now), new CallerContext());

        var row = Assert.Single(await Rows(reports.OpenCompliance(new ReportFilter())));
        var notice = new Notice(item.Fingerprint, item.SerialNumber, item.Subject, item.DnsNames, item.Issuer, notAfter, 0, 0, [], item.Owner, item.Team,
            RecipientLevel.Owner, new Uri("http://pki.test/api/inventory/x"), false).At(Now);
        var mail = NoticeEmail.ForNotice(notice, new MimeKit.MailboxAddress("PKI", "pki@corp.internal"), [new MimeKit.MailboxAddress("Olga", "olga@corp.internal")]);

        Assert.Equal(expected, row.DaysToExpiry);
        Assert.Equal(expected, notice.DaysLeft);
        Assert.Contains($"Days left: {expected}", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(text, mail.Subject, StringComparison.Ordinal);
    }

    private static async Task<List<ComplianceRow>> Rows(ComplianceReport report)
    {
        var rows = new List<ComplianceRow>();
        await foreach (var page in report.Pages)
        {
            rows.AddRange(page);
        }

        return rows;
    }

    /// <summary>An inventory of one item; the report only pages through it.</summary>
    private sealed class OnePageStore(InventoryItem item) : IInventoryItemStore
    {
        public Task<InventoryPage> QueryAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset expiringBefore, int pageSize, string? continuationToken, CancellationToken cancellationToken = default) =>
            Task.FromResult(new InventoryPage([item], null));

        public IAsyncEnumerable<InventoryItem> ScanForCountingAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset expiringBefore, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<(InventoryItem Item, string Version)?> GetAsync(string fingerprint, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> TryAddAsync(InventoryItem item, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> TryReplaceAsync(InventoryItem item, string version, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
