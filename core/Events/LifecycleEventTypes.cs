namespace Pki.Core.Events;

/// <summary>The CloudEvents <c>type</c> of each lifecycle event, named once.</summary>
public static class LifecycleEventTypes
{
    private const string Prefix = "com.serverless-pki.certificate.";

    public const string Issued = Prefix + "issued";
    public const string Renewed = Prefix + "renewed";
    public const string Revoked = Prefix + "revoked";
    public const string Expiring = Prefix + "expiring";
    public const string Expired = Prefix + "expired";
    public const string Discovered = Prefix + "discovered";

    public static IReadOnlyList<string> All { get; } = [Issued, Renewed, Revoked, Expiring, Expired, Discovered];
}
