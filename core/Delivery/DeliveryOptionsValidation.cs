namespace Pki.Core.Delivery;

/// <summary>Start-up checks of <c>Pki:Delivery</c>, each naming its setting.</summary>
public static class DeliveryOptionsValidation
{
    public static void Validate(DeliveryOptions options, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        const string s = PkiOptions.Section + ":Delivery";
        for (var i = 0; i < options.KeyVaults.Count; i++)
        {
            var vault = options.KeyVaults[i];
            if (!Uri.TryCreate(vault, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
            {
                errors.Add($"{s}:KeyVaults:{i} must be a vault's https URI such as https://team-kv.vault.azure.net/; got '{vault}'.");
            }
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
