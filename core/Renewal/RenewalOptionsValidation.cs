namespace Pki.Core.Renewal;

/// <summary>Start-up checks of <c>Pki:Renewal</c>, each naming the setting (called by <see cref="PkiOptionsValidator"/>).</summary>
public static class RenewalOptionsValidation
{
    public static void Validate(RenewalOptions r, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Renewal";
        if (!(r.RenewAfterFraction is > 0 and < 1))
        {
            errors.Add($"{s}:RenewAfterFraction must be greater than 0 and less than 1 (default 2/3); got {r.RenewAfterFraction}.");
        }

        if (r.RenewDaysBeforeExpiry is { } days)
        {
            OptionRanges.Add(s, [("RenewDaysBeforeExpiry", days, 1, 3650)], errors);
        }

        OptionRanges.Add(s, [("InitialLookbackDays", r.InitialLookbackDays, 0, 3650)], errors);
    }
}
