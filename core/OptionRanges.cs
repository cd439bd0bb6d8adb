namespace Pki.Core;

/// <summary>The range check every capability's options validation shares: one message per setting outside its bounds.</summary>
public static class OptionRanges
{
    public static void Add(string section, IEnumerable<(string Setting, int Value, int Min, int Max)> ranges, List<string> errors)
    {
        foreach (var (setting, value, min, max) in ranges)
        {
            if (value < min || value > max)
            {
                errors.Add($"{section}:{setting} must be between {min} and {max}; got {value}.");
            }
        }
    }
}
