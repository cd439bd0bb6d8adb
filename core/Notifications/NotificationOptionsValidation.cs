namespace Pki.Core.Notifications;

/// <summary>Start-up checks of <c>Pki:Notifications</c>, each naming the setting (called by <see cref="PkiOptionsValidator"/>).</summary>
public static class NotificationOptionsValidation
{
    public static void Validate(NotificationOptions n, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Notifications";
        if (n.ThresholdsDays?.Any(t => t is < 0 or > 3650) == true)
        {
            errors.Add($"{s}:ThresholdsDays must hold days between 0 (on expiry) and 3650.");
        }

        OptionRanges.Add(s, [("InitialLookbackDays", n.InitialLookbackDays, 0, 3650)], errors);

        var smtp = n.Smtp;
        if (smtp.IsConfigured)
        {
            if (string.IsNullOrWhiteSpace(smtp.From))
            {
                errors.Add($"{s}:Smtp:From is required with {s}:Smtp:Host: the sender address, such as pki@example.com.");
            }
            else if (NoticeRecipients.TryParseMailbox(smtp.From) is null)
            {
                errors.Add($"{s}:Smtp:From must be a mail address such as 'PKI <pki@example.com>'; got '{smtp.From}'.");
            }

            if (Uri.CheckHostName(smtp.Host!.Trim()) == UriHostNameType.Unknown)
            {
                errors.Add($"{s}:Smtp:Host must be a host name or address; got '{smtp.Host}'.");
            }

            if (string.IsNullOrEmpty(smtp.UserName) != string.IsNullOrEmpty(smtp.Password))
            {
                errors.Add($"{s}:Smtp:UserName and {s}:Smtp:Password go together: set both (authenticated submission) or neither (a relay).");
            }

            if (!Enum.IsDefined(smtp.UseTls))
            {
                errors.Add($"{s}:Smtp:UseTls must be one of {string.Join(", ", Enum.GetNames<SmtpTls>())}.");
            }

            OptionRanges.Add(s + ":Smtp", [("Port", smtp.Port, 1, 65535), ("TimeoutSeconds", smtp.TimeoutSeconds, 1, 600)], errors);
        }
        else if (!string.IsNullOrWhiteSpace(smtp.From) || !string.IsNullOrWhiteSpace(smtp.UserName))
        {
            errors.Add($"{s}:Smtp:Host is required when other {s}:Smtp settings are set.");
        }

        ValidateWebhook($"{s}:Teams:WebhookUrl", n.Teams.WebhookUrl, errors);
        foreach (var (team, url) in n.Teams.TeamWebhooks)
        {
            ValidateWebhook($"{s}:Teams:TeamWebhooks:{team}", url, errors);
        }

        foreach (var (team, list) in n.TeamAddresses)
        {
            ValidateAddresses($"{s}:TeamAddresses:{team}", list, errors);
        }

        ValidateAddresses($"{s}:AdminAddresses", n.AdminAddresses, errors);
        OptionRanges.Add(s, [("ClaimMinutes", n.ClaimMinutes, 1, 24 * 60)], errors);
        OptionRanges.Add(s + ":Teams", [("TimeoutSeconds", n.Teams.TimeoutSeconds, 1, 600)], errors);
    }

    /// <summary>Workflows webhook URLs are https; plain http is accepted for a loopback listener only (local runs and tests).</summary>
    private static void ValidateWebhook(string setting, string? url, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            // The URL carries the workflow's signature; name the setting, not the value.
            errors.Add($"{setting} must be an absolute https URL (the Workflows \"When a Teams webhook request is received\" URL); http only for a loopback address.");
        }
    }

    private static void ValidateAddresses(string setting, string? list, List<string> errors)
    {
        foreach (var address in NotificationOptions.SplitAddresses(list))
        {
            if (NoticeRecipients.TryParseMailbox(address) is null)
            {
                errors.Add($"{setting} holds '{address}', which is not a mail address.");
            }
        }
    }
}
