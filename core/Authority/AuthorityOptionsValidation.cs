using System.Net;
using Pki.Core.Signing;

namespace Pki.Core.Authority;

/// <summary>Start-up checks of <c>Pki:Ca, Pki:Names and Pki:Profiles</c>, each naming the setting (called by <see cref="PkiOptionsValidator"/>).</summary>
public static class AuthorityOptionsValidation
{
    public static void ValidateCa(AuthorityOptions ca, List<string> errors)
    {
        const string c = PkiOptions.Section + ":Ca";
        foreach (var (setting, id) in new[] { ("RootId", ca.RootId), ("IssuingId", ca.IssuingId) })
        {
            if (string.IsNullOrEmpty(id) || id.Length > 64 || !id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-'))
            {
                errors.Add($"{c}:{setting} must be 1 to 64 ASCII letters, digits or hyphens; got '{id}'.");
            }
        }

        if (ca.RootId == ca.IssuingId)
        {
            errors.Add($"{c}:RootId and {c}:IssuingId must differ.");
        }

        foreach (var (setting, subject) in new[] { ("RootSubject", ca.RootSubject), ("IssuingSubject", ca.IssuingSubject) })
        {
            try
            {
                _ = CertificateFactory.DistinguishedName(subject);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
            {
                errors.Add($"{c}:{setting} is not a distinguished name such as 'CN=Example Root,O=Example': {e.Message}");
            }
        }

        if (ca.RootValidityDays < 1 || ca.IssuingValidityDays < 1)
        {
            errors.Add($"{c}:RootValidityDays and {c}:IssuingValidityDays must be positive.");
        }

        if (ca.RepairSettleSeconds < 1 || ca.AbandonAfterSeconds < ca.RepairSettleSeconds)
        {
            errors.Add($"{c}:RepairSettleSeconds must be at least 1 and {c}:AbandonAfterSeconds at least as long (it must outlast the slowest signature: Key Vault throttling waits up to 6 minutes).");
        }

        if (ca.IssuingSignatureScheme is { } scheme && !ca.IssuingKeyAlgorithm.Supports(scheme))
        {
            errors.Add($"{c}:IssuingSignatureScheme {scheme} does not fit {c}:IssuingKeyAlgorithm {ca.IssuingKeyAlgorithm}.");
        }
    }

    public static void ValidateNames(NamePolicyOptions names, List<string> errors)
    {
        const string n = PkiOptions.Section + ":Names";
        foreach (var suffix in names.AllowedDnsSuffixes)
        {
            if (!Authority.Policy.DnsNames.IsValid(suffix.TrimStart('.'), out var reason) || suffix.Contains('*'))
            {
                errors.Add($"{n}:AllowedDnsSuffixes entry '{suffix}' is not a DNS suffix: {reason}.");
            }
        }

        foreach (var range in names.AllowedIpRanges)
        {
            if (!IPNetwork.TryParse(range, out _))
            {
                errors.Add($"{n}:AllowedIpRanges entry '{range}' is not CIDR notation such as 10.0.0.0/8.");
            }
        }
    }

    public static void ValidateProfiles(IReadOnlyDictionary<string, ProfileOptions> profiles, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        foreach (var (profile, settings) in profiles)
        {
            if (!ProfileNames.All.Contains(profile))
            {
                errors.Add($"{PkiOptions.Section}:Profiles:{profile} is not a known profile ({string.Join(", ", ProfileNames.All)}).");
            }

            if (settings.MaxValidityDays is < 1 or > 3650)
            {
                errors.Add($"{PkiOptions.Section}:Profiles:{profile}:MaxValidityDays must be between 1 and 3650; got {settings.MaxValidityDays}.");
            }
        }
    }
}
