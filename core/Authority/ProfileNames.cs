namespace Pki.Core.Authority;

public static class ProfileNames
{
    public const string TlsServer = "tls-server";
    public const string TlsClient = "tls-client";

    /// <summary>Signs code and artefacts; issued only after an approver approved the request.</summary>
    public const string CodeSigning = "code-signing";

    public static readonly IReadOnlyList<string> All = [TlsServer, TlsClient, CodeSigning];
}
