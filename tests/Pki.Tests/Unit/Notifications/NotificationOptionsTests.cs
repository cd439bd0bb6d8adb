using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Notifications;
using Pki.Core.Signing;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit.Notifications;

public sealed class NotificationOptionsTests
{
    private static PkiOptions Valid() => new()
    {
        PublicBaseUrl = "http://localhost:7071",
        Signing = new SigningOptions
        {
            Provider = "pkcs11",
            Pkcs11 = { LibraryPath = typeof(NotificationOptionsTests).Assembly.Location, TokenLabel = "t", UserPin = "1234" },
        },
        Storage = { ConnectionString = "UseDevelopmentStorage=true" },
        Notifications =
        {
            Smtp = { Host = "smtp.azurecomm.net", Port = 587, UseTls = SmtpTls.StartTls, UserName = "acs|app|tenant", Password = "secret", From = "DoNotReply@pki.example" },
            Teams = { WebhookUrl = "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x" },
            AdminAddresses = "a@pki.example; b@pki.example",
        },
    };

    [Fact]
    public void Complete_notification_settings_pass_and_none_at_all_pass_too()
    {
        Assert.True(new PkiOptionsValidator().Validate(null, Valid()).Succeeded);
        var none = Valid();
        none.Notifications = new NotificationOptions();
        Assert.True(new PkiOptionsValidator().Validate(null, none).Succeeded);
    }

    [Theory]
    [InlineData("smtp-from", "Pki:Notifications:Smtp:From")]
    [InlineData("smtp-from-bad", "Pki:Notifications:Smtp:From")]
    [InlineData("smtp-user-without-password", "Pki:Notifications:Smtp:Password")]
    [InlineData("smtp-port", "Pki:Notifications:Smtp:Port")]
    [InlineData("smtp-from-without-host", "Pki:Notifications:Smtp:Host")]
    [InlineData("webhook-http", "Pki:Notifications:Teams:WebhookUrl")]
    [InlineData("webhook-relative", "Pki:Notifications:Teams:WebhookUrl")]
    [InlineData("team-webhook-http", "Pki:Notifications:Teams:TeamWebhooks:payments")]
    [InlineData("team-address", "Pki:Notifications:TeamAddresses:payments")]
    [InlineData("admin-address", "Pki:Notifications:AdminAddresses")]
    [InlineData("threshold", "Pki:Notifications:ThresholdsDays")]
    public void A_bad_notification_setting_fails_start_up_naming_the_setting(string change, string setting)
    {
        var options = Valid();
        var n = options.Notifications;
        switch (change)
        {
            case "smtp-from": n.Smtp.From = null; break;
            case "smtp-from-bad": n.Smtp.From = "not an address"; break;
            case "smtp-user-without-password": n.Smtp.Password = null; break;
            case "smtp-port": n.Smtp.Port = 0; break;
            case "smtp-from-without-host": n.Smtp.Host = null; break;
            case "webhook-http": n.Teams.WebhookUrl = "http://prod-01.westeurope.logic.azure.com/workflows/abc"; break;
            case "webhook-relative": n.Teams.WebhookUrl = "/workflows/abc"; break;
            case "team-webhook-http": n.Teams.TeamWebhooks["payments"] = "ftp://example.com/hook"; break;
            case "team-address": n.TeamAddresses["payments"] = "payments@pki.example, nobody"; break;
            case "admin-address": n.AdminAddresses = "admins"; break;
            case "threshold": n.ThresholdsDays = [30, -1]; break;
            default: throw new ArgumentOutOfRangeException(nameof(change));
        }

        var result = new PkiOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_webhook_url_is_never_echoed_in_the_error_because_it_carries_the_workflow_signature()
    {
        var options = Valid();
        options.Notifications.Teams.WebhookUrl = "http://example.com/workflows/abc?sig=SECRET";
        Assert.DoesNotContain("SECRET", new PkiOptionsValidator().Validate(null, options).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_http_is_accepted_for_a_loopback_webhook_only()
    {
        var options = Valid();
        options.Notifications.Teams.WebhookUrl = "http://127.0.0.1:8080/workflows/local";
        Assert.True(new PkiOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task The_host_refuses_to_start_with_an_smtp_host_and_no_sender()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => DevHostFixture.StartAsync(
            TestEnvironment.UniqueId("t"), TestEnvironment.UniqueId("root-"), TestEnvironment.UniqueId("issuing-"),
            "--Pki:Notifications:Smtp:Host=127.0.0.1"));

        Assert.Contains("Pki:Notifications:Smtp:From", failure.Message, StringComparison.Ordinal);
    }
}
