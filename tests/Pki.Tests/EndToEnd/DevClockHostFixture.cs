using MimeKit;
using Pki.Tests.Infrastructure;
using Pki.Tests.Infrastructure.Mail;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// A dev host as local/run starts one, on its own clock (the dev clock, not a test's fake one) with its timers on their
/// schedules and its notices mailed to a real SMTP server; team platform (the admin's) and the admins have addresses.
/// </summary>
public sealed class DevClockHostFixture : DevHostFixture
{
    public const string From = "pki@pki.test";
    public const string AdminAddress = "pki-admins@pki.test";
    public const string TeamAddress = "platform-team@pki.test";

    public SmtpSink Smtp { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Smtp = await SmtpSink.StartAsync();
        string[] args =
        [
            .. Smtp.HostArgs(From, AdminAddress),
            $"--Pki:Notifications:TeamAddresses:{TestCallers.Admin.Team}={TeamAddress}",
            "--DevHost:DisableTimers=false",
        ];
        await StartHostAsync(args, configureServices: null);
    }

    /// <summary>Notices about one certificate (its serial is in every notice), not digests.</summary>
    public IReadOnlyList<MimeMessage> NoticesAbout(string serial) =>
        Smtp.Messages().Where(m => (m.TextBody ?? string.Empty).Contains(serial, StringComparison.Ordinal)
            && !(m.Subject ?? string.Empty).StartsWith("Certificate digest", StringComparison.Ordinal)).ToArray();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
