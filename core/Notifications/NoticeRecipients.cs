using Microsoft.Extensions.Options;
using MimeKit;

namespace Pki.Core.Notifications;

/// <summary>
/// Who a notice reaches at each <see cref="RecipientLevel"/>, per channel. Owner: the owner field when it is a mail
/// address, and the team's Teams channel. Team: the team's addresses and channel. Admins: the admin addresses and the
/// default channel. A level with no address gets no mail; a team without a channel of its own posts to the default one.
/// </summary>
public sealed class NoticeRecipients(IOptions<PkiOptions> options)
{
    private NotificationOptions Settings => options.Value.Notifications;

    public IReadOnlyList<MailboxAddress> EmailAddresses(RecipientLevel level, string? owner, string? team)
    {
        var candidates = level switch
        {
            RecipientLevel.Owner => owner is null ? [] : new[] { owner },
            RecipientLevel.Team => team is not null && Settings.TeamAddresses.TryGetValue(team, out var list) ? NotificationOptions.SplitAddresses(list) : [],
            RecipientLevel.Admins => NotificationOptions.SplitAddresses(Settings.AdminAddresses),
            _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown recipient level."),
        };
        return candidates.Select(TryParseMailbox).OfType<MailboxAddress>().DistinctBy(m => m.Address, StringComparer.OrdinalIgnoreCase).ToArray();
    }

    public Uri? TeamsWebhook(RecipientLevel level, string? team)
    {
        var url = level != RecipientLevel.Admins && team is not null && Settings.Teams.TeamWebhooks.TryGetValue(team, out var own) && !string.IsNullOrWhiteSpace(own)
            ? own
            : Settings.Teams.WebhookUrl;
        return string.IsNullOrWhiteSpace(url) ? null : new Uri(url, UriKind.Absolute);
    }

    /// <summary>An owner field is often a person's name or an alias; only a mail address with a domain is mailed.</summary>
    public static MailboxAddress? TryParseMailbox(string? text) =>
        MailboxAddress.TryParse(text, out var mailbox) && mailbox.Address.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < mailbox.Address.Length - 1
            ? mailbox
            : null;
}
