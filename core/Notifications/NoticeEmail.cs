using System.Globalization;
using System.Net;
using System.Text;
using MimeKit;

namespace Pki.Core.Notifications;

/// <summary>The mails: one per notice, one digest per owner; each in plain text and HTML with the same facts.</summary>
public static class NoticeEmail
{
    public static MimeMessage ForNotice(Notice notice, MailboxAddress from, IEnumerable<MailboxAddress> to)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var subject = $"Certificate {notice.DisplayName} {notice.DaysLeftText}";
        var facts = Facts(notice);
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"The certificate {notice.DisplayName} {notice.DaysLeftText} ({Date(notice.NotAfter)}).")
            .AppendLine();
        foreach (var (name, value) in facts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{name}: {value}");
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Details: {notice.Link}");
        var html = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<p>The certificate <b>{E(notice.DisplayName)}</b> {E(notice.DaysLeftText)} ({E(Date(notice.NotAfter))}).</p>")
            .Append(Table(facts))
            .Append(CultureInfo.InvariantCulture, $"<p><a href=\"{E(notice.Link.AbsoluteUri)}\">Open it in the inventory</a></p>");
        return Message(from, to, subject, text.ToString(), html.ToString());
    }

    public static MimeMessage ForDigest(string owner, IReadOnlyList<Notice> notices, MailboxAddress from, MailboxAddress to)
    {
        ArgumentNullException.ThrowIfNull(notices);
        var subject = notices.Count == 1
            ? $"Certificate digest: 1 certificate needs attention"
            : $"Certificate digest: {notices.Count} certificates need attention";
        var text = new StringBuilder().AppendLine(CultureInfo.InvariantCulture, $"Certificates of {owner} with notices in the last 24 hours:").AppendLine();
        var html = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<p>Certificates of {E(owner)} with notices in the last 24 hours:</p><ul>");
        foreach (var n in notices.OrderBy(n => n.NotAfter))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {n.DisplayName} {n.DaysLeftText} ({Date(n.NotAfter)}); deployed at {n.LocationsText}; {n.Link}");
            html.Append(CultureInfo.InvariantCulture,
                $"<li><a href=\"{E(n.Link.AbsoluteUri)}\"><b>{E(n.DisplayName)}</b></a> {E(n.DaysLeftText)} ({E(Date(n.NotAfter))}); deployed at {E(n.LocationsText)}</li>");
        }

        html.Append("</ul>");
        return Message(from, [to], subject, text.ToString(), html.ToString());
    }

    public static IReadOnlyList<(string Name, string Value)> Facts(Notice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        return
        [
            ("Certificate", notice.Subject),
            ("DNS names", notice.DnsNames.Count == 0 ? "none" : string.Join(", ", notice.DnsNames)),
            ("Deployed at", notice.LocationsText),
            ("Days left", notice.DaysLeft.ToString(CultureInfo.InvariantCulture)),
            ("Expires", Date(notice.NotAfter)),
            ("Owner", notice.Owner ?? "unknown"),
            ("Team", notice.Team ?? "unknown"),
            ("Issuer", notice.Issuer),
            ("Serial number", notice.SerialNumber),
            ("SHA-256 fingerprint", notice.Fingerprint),
        ];
    }

    private static MimeMessage Message(MailboxAddress from, IEnumerable<MailboxAddress> to, string subject, string text, string html)
    {
        var message = new MimeMessage { Subject = subject };
        message.From.Add(from);
        message.To.AddRange(to);
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = $"<html><body>{html}</body></html>" }.ToMessageBody();
        return message;
    }

    private static string Table(IEnumerable<(string Name, string Value)> facts) =>
        "<table>" + string.Concat(facts.Select(f => $"<tr><th align=\"left\">{E(f.Name)}</th><td>{E(f.Value)}</td></tr>")) + "</table>";

    private static string Date(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
