using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Pki.Core.Notifications;

/// <summary>
/// Sends mail over SMTP with MailKit: a connection per message (notices are few, and a serverless instance may
/// sleep between them), TLS as configured, authentication only when a user name is set.
/// </summary>
public sealed class SmtpMailer(IOptions<PkiOptions> options)
{
    private SmtpOptions Settings => options.Value.Notifications.Smtp;

    public bool IsConfigured => Settings.IsConfigured;

    public MailboxAddress From => MailboxAddress.Parse(Settings.From ?? throw new InvalidOperationException("Pki:Notifications:Smtp:From is not set."));

    /// <exception cref="NoticeDeliveryException">The server could not be reached, refused us, or refused the message.</exception>
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var smtp = Settings;
        using var client = new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
        try
        {
            await client.ConnectAsync(smtp.Host!.Trim(), smtp.Port, Secure(smtp.UseTls), cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(smtp.UserName))
            {
                await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? string.Empty, cancellationToken).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or MailKit.Net.Smtp.SmtpCommandException
            or SmtpProtocolException or AuthenticationException or SslHandshakeException or ServiceNotConnectedException
            or ServiceNotAuthenticatedException or TimeoutException)
        {
            throw new NoticeDeliveryException($"SMTP {smtp.Host}:{smtp.Port} did not take the mail: {e.Message}", e) { Channel = EmailNoticeChannel.ChannelName };
        }
    }

    private static SecureSocketOptions Secure(SmtpTls tls) => tls switch
    {
        SmtpTls.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
        SmtpTls.StartTls => SecureSocketOptions.StartTls,
        SmtpTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpTls.None => SecureSocketOptions.None,
        _ => throw new ArgumentOutOfRangeException(nameof(tls), tls, "Unknown TLS mode."),
    };
}
