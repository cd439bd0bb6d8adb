namespace Pki.Core.Authority;

/// <summary>Per-profile overrides. Bound from <c>Pki:Profiles:{name}</c>.</summary>
public sealed class ProfileOptions
{
    public int? MaxValidityDays { get; set; }
}
