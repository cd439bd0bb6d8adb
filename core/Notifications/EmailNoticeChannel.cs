namespace Pki.Core.Notifications;

/// <summary>Mails a notice to the addresses of its level.</summary>
public sealed class EmailNoticeChannel(SmtpMailer mailer, NoticeRecipients recipients) : INoticeChannel
{
    public const string ChannelName = "email";

    public string Name => ChannelName;

    public bool IsConfigured => mailer.IsConfigured;

    public async Task<bool> SendAsync(Notice notice, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var to = recipients.EmailAddresses(notice.Level, notice.Owner, notice.Team);
        if (to.Count == 0)
        {
            return false;
        }

        await mailer.SendAsync(NoticeEmail.ForNotice(notice, mailer.From, to), cancellationToken).ConfigureAwait(false);
        return true;
    }
}
