namespace Pki.Core.Notifications;

/// <summary>The mail server notices and digests go through. Bound from <c>Pki:Notifications:Smtp</c>; no Host, no email.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpTls UseTls { get; set; } = SmtpTls.StartTlsWhenAvailable;

    /// <summary>Optional: servers that need no authentication (a relay, a test server) get none.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender, e.g. <c>PKI &lt;pki@example.com&gt;</c>; required with a Host (ACS: a verified MailFrom address).</summary>
    public string? From { get; set; }

    public int TimeoutSeconds { get; set; } = 30;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);
}
