namespace Pki.Core.Reports;

/// <summary>The policy violation codes, named once (README "Reports" says when each applies).</summary>
public static class ViolationCodes
{
    public const string WeakKey = "weak-key";
    public const string WeakSignature = "weak-signature";
    public const string SelfSignedLeaf = "self-signed-leaf";
    public const string UntrustedChain = "untrusted-chain";
    public const string LifetimeExceedsPolicy = "lifetime-exceeds-policy";
    public const string NoOwner = "no-owner";
    public const string NoTeam = "no-team";
    public const string ExpiredInUse = "expired-in-use";
    public const string RevokedInUse = "revoked-in-use";

    public static readonly IReadOnlyList<string> All =
        [WeakKey, WeakSignature, SelfSignedLeaf, UntrustedChain, LifetimeExceedsPolicy, NoOwner, NoTeam, ExpiredInUse, RevokedInUse];
}
