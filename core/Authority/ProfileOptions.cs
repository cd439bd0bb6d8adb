namespace Pki.Core.Authority;

/// <summary>Per-profile overrides. Bound from <c>Pki:Profiles:{name}</c>.</summary>
public sealed class ProfileOptions
{
    public int? MaxValidityDays { get; set; }

    /// <summary>Hold requests for approval; by default true for code-signing, false for the TLS profiles.</summary>
    public bool? RequiresApproval { get; set; }
}
