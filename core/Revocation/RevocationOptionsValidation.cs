using Pki.Core.Authority;

namespace Pki.Core.Revocation;

/// <summary>Start-up checks of <c>Pki:Revocation</c>, each naming the setting (called by <see cref="PkiOptionsValidator"/>).</summary>
public static class RevocationOptionsValidation
{
    public static void Validate(RevocationOptions r, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Revocation";
        var ranges = new (string Setting, int Value, int Min, int Max)[]
        {
            ("CrlValidityHours", r.CrlValidityHours, 1, 24 * 31),
            ("CrlRefreshMarginHours", r.CrlRefreshMarginHours, 0, 24 * 31),
            ("FullCrlIntervalMinutes", r.FullCrlIntervalMinutes, 1, 24 * 60 * 7),
            ("CrlRevocationIntervalSeconds", r.CrlRevocationIntervalSeconds, 0, 3600),
            ("CrlShards", r.CrlShards, 1, CrlShards.Max),
            ("RootCrlValidityDays", r.RootCrlValidityDays, 1, 366),
            ("OcspValidityHours", r.OcspValidityHours, 1, 24 * 7),
            ("ResponderValidityHours", r.ResponderValidityHours, 2, 24 * 90),
            ("ResponderRenewBeforeHours", r.ResponderRenewBeforeHours, 1, 24 * 90),
            ("OcspCacheSeconds", r.OcspCacheSeconds, 0, 3600),
            ("OcspOnDemandSignaturesPerSecond", r.OcspOnDemandSignaturesPerSecond, 0, 100_000),
            ("OcspOnDemandSignatureBurst", r.OcspOnDemandSignatureBurst, 0, 100_000),
        };
        OptionRanges.Add(s, ranges, errors);

        if (r.CrlRefreshMarginHours >= r.CrlValidityHours)
        {
            errors.Add($"{s}:CrlRefreshMarginHours ({r.CrlRefreshMarginHours}) must be less than {s}:CrlValidityHours ({r.CrlValidityHours}), or every pass would republish every CRL.");
        }

        if (r.ResponderRenewBeforeHours >= r.ResponderValidityHours)
        {
            errors.Add($"{s}:ResponderRenewBeforeHours ({r.ResponderRenewBeforeHours}) must be less than {s}:ResponderValidityHours ({r.ResponderValidityHours}).");
        }

        if (r.ResponderRenewBeforeHours < r.OcspValidityHours)
        {
            errors.Add($"{s}:ResponderRenewBeforeHours ({r.ResponderRenewBeforeHours}) must be at least {s}:OcspValidityHours ({r.OcspValidityHours}), so no response outlives its responder certificate.");
        }
    }
}
