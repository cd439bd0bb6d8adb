using Pki.Core.Notifications;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Notifications;

public sealed class ExpiryAlertTextTests
{
    [Fact]
    public void The_alert_in_infra_searches_for_the_warning_the_notice_pass_logs()
    {
        var bicep = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "main.bicep"));
        Assert.Contains($"param expiringWithoutRenewalMessage string = '{ExpiryNoticePlanner.ExpiringWithoutRenewal}'", bicep);
    }
}
