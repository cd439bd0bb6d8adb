namespace Pki.Core.Storage;

/// <summary>Start-up checks of <c>Pki:Storage</c>, each naming the setting (called by <see cref="PkiOptionsValidator"/>).</summary>
public static class StorageOptionsValidation
{
    public static void Validate(StorageOptions storage, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ValidateEndpoints(storage, errors);
        if (storage.TablePrefix.Length > 20 || !storage.TablePrefix.All(char.IsAsciiLetterOrDigit)
            || (storage.TablePrefix.Length > 0 && !char.IsAsciiLetter(storage.TablePrefix[0])))
        {
            errors.Add($"{PkiOptions.Section}:Storage:TablePrefix must be up to 20 ASCII letters and digits, starting with a letter; got '{storage.TablePrefix}'.");
        }
    }

    private static void ValidateEndpoints(StorageOptions storage, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Storage";
        var endpoints = new (string Setting, string? Value)[] { ("TableServiceUri", storage.TableServiceUri), ("QueueServiceUri", storage.QueueServiceUri), ("BlobServiceUri", storage.BlobServiceUri) };
        if (StorageClients.UsesConnectionString(storage))
        {
            if (endpoints.FirstOrDefault(e => !string.IsNullOrWhiteSpace(e.Value)) is { Setting: { } both })
            {
                errors.Add($"{s}:ConnectionString and {s}:{both} are both set; set the connection string (Azurite, keys) or the three service endpoints (identity), not both.");
            }

            return;
        }

        foreach (var (setting, value) in endpoints)
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                errors.Add($"{s}:{setting} must be the account's https endpoint when {s}:ConnectionString is empty (got '{value}'); set one or the other.");
            }
        }
    }
}
