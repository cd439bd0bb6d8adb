namespace Pki.Core.Inventory;

/// <summary>Start-up checks of <c>Pki:Inventory</c>, each naming the setting (called by <see cref="PkiOptionsValidator"/>).</summary>
public static class InventoryOptionsValidation
{
    public static void Validate(InventoryOptions i, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Inventory";
        if (i.ExpiryThresholdsDays?.Any(t => t is < 1 or > 3650) == true)
        {
            errors.Add($"{s}:ExpiryThresholdsDays must hold days between 1 and 3650.");
        }

        foreach (var file in i.TrustAnchorFiles ?? [])
        {
            if (!File.Exists(file))
            {
                errors.Add($"{s}:TrustAnchorFiles names '{file}', which does not exist.");
            }
        }

        foreach (var rule in i.OwnerRules ?? [])
        {
            if (string.IsNullOrWhiteSpace(rule.Pattern) || (string.IsNullOrWhiteSpace(rule.Team) && string.IsNullOrWhiteSpace(rule.Owner)))
            {
                errors.Add($"{s}:OwnerRules: each rule needs a Pattern and a Team or an Owner; got pattern '{rule.Pattern}'.");
            }
        }

        OptionRanges.Add(s, [("MinRsaBits", i.MinRsaBits, 1024, 16384), ("MinEcBits", i.MinEcBits, 160, 521), ("MaxPageSize", i.MaxPageSize, 1, 1000)], errors);
    }
}
