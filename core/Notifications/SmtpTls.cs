namespace Pki.Core.Notifications;

/// <summary>How the SMTP connection is secured (<c>Pki:Notifications:Smtp:UseTls</c>).</summary>
public enum SmtpTls
{
    /// <summary>STARTTLS when the server offers it (port 587, Azure Communication Services); plain otherwise.</summary>
    StartTlsWhenAvailable,

    /// <summary>STARTTLS required: fail when the server does not offer it.</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,

    /// <summary>No TLS: a relay on a trusted network or a local test server only.</summary>
    None,
}
