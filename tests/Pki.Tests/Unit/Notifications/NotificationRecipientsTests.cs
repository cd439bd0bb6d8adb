using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Notifications;

namespace Pki.Tests.Unit.Notifications;

public sealed class NotificationRecipientsTests
{
    private static readonly NoticeRecipients Recipients = new(Options.Create(new PkiOptions
    {
        Notifications =
        {
            TeamAddresses = { ["payments"] = "pay-1@pki.example; pay-2@pki.example" },
            AdminAddresses = "root@pki.example",
            Teams = { WebhookUrl = "https://hooks.example/default", TeamWebhooks = { ["payments"] = "https://hooks.example/payments" } },
        },
    }));

    [Theory]
    [InlineData(RecipientLevel.Owner, "alice@pki.example", "payments", "alice@pki.example")]
    [InlineData(RecipientLevel.Owner, "Alice (an alias, not an address)", "payments", "")]
    [InlineData(RecipientLevel.Team, "alice@pki.example", "PAYMENTS", "pay-1@pki.example,pay-2@pki.example")]
    [InlineData(RecipientLevel.Team, "alice@pki.example", "unknown-team", "")]
    [InlineData(RecipientLevel.Admins, "alice@pki.example", "payments", "root@pki.example")]
    public void Each_level_mails_its_own_addresses(RecipientLevel level, string owner, string team, string expected)
    {
        var addresses = Recipients.EmailAddresses(level, owner, team).Select(m => m.Address);
        Assert.Equal(expected, string.Join(',', addresses));
    }

    [Theory]
    [InlineData(RecipientLevel.Owner, "payments", "https://hooks.example/payments")]
    [InlineData(RecipientLevel.Team, "payments", "https://hooks.example/payments")]
    [InlineData(RecipientLevel.Team, "ops", "https://hooks.example/default")]
    [InlineData(RecipientLevel.Owner, null, "https://hooks.example/default")]
    [InlineData(RecipientLevel.Admins, "payments", "https://hooks.example/default")]
    public void Owner_and_team_notices_post_to_the_team_channel_and_admin_notices_to_the_default_one(RecipientLevel level, string? team, string expected)
    {
        Assert.Equal(new Uri(expected), Recipients.TeamsWebhook(level, team));
    }

    [Theory]
    [InlineData(6.5, false, 6, "expires in 6 days")]
    [InlineData(1.2, false, 1, "expires in 1 day")]
    [InlineData(0.3, false, 0, "expires within a day")]
    [InlineData(-0.3, true, 0, "expired today")]
    [InlineData(-1.5, true, -1, "expired 1 day ago")]
    [InlineData(-3.5, true, -3, "expired 3 days ago")]
    public void Days_left_count_whole_days_and_say_when_it_expired(double days, bool expired, int daysLeft, string text)
    {
        var now = new DateTimeOffset(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);
        var notice = new Notice("ab", "01", "CN=x", ["x.internal"], "CN=CA", now.AddDays(days), 0, 7, [], null, null, RecipientLevel.Owner, new Uri("https://pki.example/"), false).At(now);
        Assert.Equal((daysLeft, expired, text), (notice.DaysLeft, notice.Expired, notice.DaysLeftText));
    }
}
