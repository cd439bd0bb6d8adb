namespace Pki.Core.Authority;

public static class ProfileNames
{
    public const string TlsServer = "tls-server";
    public const string TlsClient = "tls-client";
}
