using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Pki.Core;

/// <summary>
/// What a host's entry point calls before it starts: the settings, validated. A configuration mistake is an operator's
/// to fix, so it is printed as the list of settings to change, one a line, without a stack trace, and the process exits.
/// </summary>
public static class StartupCheck
{
    public const int ConfigurationErrorExitCode = 78; // EX_CONFIG (sysexits.h)

    /// <summary>True when the settings are valid; otherwise writes what to change to <paramref name="error"/> and returns false.</summary>
    public static bool SettingsAreValid(IServiceProvider services, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            _ = services.GetRequiredService<IOptions<PkiOptions>>().Value;
            return true;
        }
        catch (OptionsValidationException e)
        {
            error.WriteLine("The host did not start: change these settings.");
            foreach (var failure in e.Failures)
            {
                error.WriteLine("  " + failure);
            }

            return false;
        }
    }
}
