namespace Pki.Core.Discovery.Scanning;

/// <summary>How a scan of one endpoint ended.</summary>
public enum ScanOutcome
{
    /// <summary>A TLS handshake got as far as the server's certificates.</summary>
    Tls,

    /// <summary>The connection was refused (nothing listens).</summary>
    Refused,

    /// <summary>No connection or no handshake within the configured time.</summary>
    TimedOut,

    /// <summary>Something answered, but not with TLS.</summary>
    NotTls,

    /// <summary>The host name did not resolve, or no route to it.</summary>
    Unreachable,

    /// <summary>The host resolved only to addresses outside the allowed networks; nothing was sent.</summary>
    NotAllowed,

    /// <summary>Any other failure; the message says what.</summary>
    Failed,
}
