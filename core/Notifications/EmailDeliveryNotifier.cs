using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Pki.Core.Delivery;

namespace Pki.Core.Notifications;

/// <summary>
/// Mails a certificate's owner that its delivery to Key Vault failed: which vault and certificate name, the last error
/// (the missing role, say), whether it is retried and what the owner or an operator must do. Sent straight away, once
/// per operation on its first failure and once when it is given up (the operation's row counts the attempts); a mail
/// server that is down is logged, and the delivery-failed finding on the certificate still shows the failure.
/// </summary>
public sealed class EmailDeliveryNotifier(SmtpMailer mailer, NoticeRecipients recipients, IOptions<PkiOptions> options, ILogger<EmailDeliveryNotifier> logger) : IDeliveryNotifier
{
    public async Task FailedAsync(DeliveryFailureNotice notice, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var certificate = notice.Certificate;
        logger.LogWarning("Delivery of certificate {SerialNumber} of owner {Owner} to Key Vault certificate {VaultCertificate} {State} after {Attempts} attempts: {Reason}",
            certificate.SerialNumber, certificate.Owner, notice.Target.Id, notice.GivenUp ? "was given up" : "failed", notice.Attempts, notice.Reason);
        if (!mailer.IsConfigured)
        {
            logger.LogWarning("No mail server is configured (Pki:Notifications:Smtp:Host); the owner of certificate {SerialNumber} is not mailed about its delivery", certificate.SerialNumber);
            return;
        }

        var to = recipients.EmailAddresses(RecipientLevel.Owner, certificate.Owner, certificate.Team);
        if (to.Count == 0)
        {
            logger.LogWarning("The owner '{Owner}' of certificate {SerialNumber} is not a mail address; nobody is mailed about its delivery", certificate.Owner, certificate.SerialNumber);
            return;
        }

        try
        {
            await mailer.SendAsync(Message(notice, mailer.From, to), cancellationToken).ConfigureAwait(false);
        }
        catch (NoticeDeliveryException e)
        {
            logger.LogWarning(e, "The mail about the delivery of certificate {SerialNumber} to {VaultCertificate} was not sent", certificate.SerialNumber, notice.Target.Id);
        }
    }

    /// <summary>The mail, in plain text and HTML with the same facts.</summary>
    public MimeMessage Message(DeliveryFailureNotice notice, MailboxAddress from, IEnumerable<MailboxAddress> to)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var c = notice.Certificate;
        var vault = notice.Target.VaultUri.Host;
        var subject = notice.GivenUp
            ? $"Key Vault delivery given up: certificate '{notice.Target.CertificateName}' in vault {vault}"
            : $"Key Vault delivery failing: certificate '{notice.Target.CertificateName}' in vault {vault}";
        var what = notice.Kind == DeliveryKind.Renew
            ? $"The renewal of certificate {c.SerialNumber} was not delivered to Key Vault certificate {notice.Target.Id}; the vault still serves the certificate that expires on {Date(c.NotAfter)}."
            : $"Certificate {c.SerialNumber} was issued but not delivered to Key Vault certificate {notice.Target.Id}.";
        var state = notice.GivenUp
            ? $"It was given up after {notice.Attempts} attempts: nothing retries it any more."
            : $"Attempt {notice.Attempts} failed; it is tried again from {(notice.NextAttemptAt is { } next ? Date(next) : "the next resume pass")}, with a longer wait after each failure.";
        var todo = notice.GivenUp
            ? $"Fix the cause above, then enroll again (POST /{Routes.Prefix}/{Routes.KeyVaultCertificates} with vault {notice.Target.VaultUri} and certificate name '{notice.Target.CertificateName}')."
            : "Fix the cause above (a refusal: grant the service's identity 'Key Vault Certificates Officer' on the vault); the next attempt then delivers it, with nothing more to do.";
        var link = $"{options.Value.PublicBaseUrl.TrimEnd('/')}/{Routes.Prefix}/{Routes.Certificates}/{c.SerialNumber}/delivery";
        (string Name, string Value)[] facts =
        [
            ("Vault", notice.Target.VaultUri.ToString()),
            ("Certificate name", notice.Target.CertificateName),
            ("What failed", notice.Reason),
            ("What to do", todo),
            ("Attempts", notice.Attempts.ToString(CultureInfo.InvariantCulture)),
            ("Operation", notice.Kind == DeliveryKind.Renew ? "renewal" : "enrollment"),
            ("Serial number", c.SerialNumber),
            ("Successor serial number", notice.SuccessorSerial ?? "none signed yet"),
            ("Certificate", c.Subject),
            ("Expires", Date(c.NotAfter)),
            ("Owner", c.Owner),
            ("Team", c.Team ?? "none"),
        ];
        var text = new StringBuilder().AppendLine(what).AppendLine(state).AppendLine();
        foreach (var (name, value) in facts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{name}: {value}");
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Details: {link}");
        var html = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<p>{E(what)}</p><p>{E(state)}</p><table>")
            .Append(string.Concat(facts.Select(f => $"<tr><th align=\"left\">{E(f.Name)}</th><td>{E(f.Value)}</td></tr>")))
            .Append(CultureInfo.InvariantCulture, $"</table><p><a href=\"{E(link)}\">The delivery's state</a></p>");
        var message = new MimeMessage { Subject = subject };
        message.From.Add(from);
        message.To.AddRange(to);
        message.Body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = $"<html><body>{html}</body></html>" }.ToMessageBody();
        return message;
    }

    private static string Date(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
