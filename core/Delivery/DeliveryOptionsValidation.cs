namespace Pki.Core.Delivery;

/// <summary>Start-up checks of <c>Pki:Delivery</c>, each naming its setting.</summary>
public static class DeliveryOptionsValidation
{
    public static void Validate(DeliveryOptions options, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        const string s = PkiOptions.Section + ":Delivery";
        var vaults = options.KeyVaults.Select((v, i) => (Setting: $"{s}:KeyVaults:{i}", Vault: v))
            .Concat(options.TeamVaults.SelectMany(t => t.Value.Select((v, i) => (Setting: $"{s}:TeamVaults:{t.Key}:{i}", Vault: v))));
        foreach (var (setting, vault) in vaults)
        {
            if (!Uri.TryCreate(vault, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
            {
                errors.Add($"{setting} must be a vault's https URI such as https://team-kv.vault.azure.net/; got '{vault}'.");
            }
        }

        foreach (var team in options.TeamVaults.Keys.Where(t => Access.Teams.Normalize(t) != t))
        {
            errors.Add($"{s}:TeamVaults:{team} must name a team in lower case, as teams are stored.");
        }

        foreach (var (name, value, min, max) in new[]
        {
            ("RetryDelaySeconds", options.RetryDelaySeconds, 1, 86400),
            ("MaxRetryDelaySeconds", options.MaxRetryDelaySeconds, 1, 7 * 86400),
            ("MaxAttempts", options.MaxAttempts, 1, 1000),
            ("LeaseSeconds", options.LeaseSeconds, 10, 3600),
        })
        {
            if (value < min || value > max)
            {
                errors.Add($"{s}:{name} must be between {min} and {max}; got {value}.");
            }
        }

        if (options.MaxRetryDelaySeconds < options.RetryDelaySeconds)
        {
            errors.Add($"{s}:MaxRetryDelaySeconds ({options.MaxRetryDelaySeconds}) must not be less than RetryDelaySeconds ({options.RetryDelaySeconds}).");
        }
    }
}
