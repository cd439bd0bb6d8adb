using Pki.Core;
using Pki.Core.Signing;

namespace Pki.Tests.Unit;

public sealed class OptionsValidationTests
{
    internal static PkiOptions Valid() => new()
    {
        PublicBaseUrl = "http://localhost:7071",
        Signing = new SigningOptions
        {
            Provider = "pkcs11",
            Pkcs11 = { LibraryPath = typeof(OptionsValidationTests).Assembly.Location, TokenLabel = "t", UserPin = "1234" },
        },
        Storage = { ConnectionString = "UseDevelopmentStorage=true" },
    };

    [Fact]
    public void Complete_settings_pass()
    {
        Assert.True(new PkiOptionsValidator().Validate(null, Valid()).Succeeded);
    }

    [Theory]
    [InlineData("", "Pki:Signing:Provider")]
    [InlineData("software", "Pki:Signing:Provider")]
    public void The_key_store_must_be_named_and_software_is_never_accepted(string provider, string setting)
    {
        var options = Valid();
        options.Signing.Provider = provider;
        var result = new PkiOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage);
    }

    [Fact]
    public void Each_missing_or_bad_setting_is_named()
    {
        var options = Valid();
        options.PublicBaseUrl = "not a url";
        options.Signing.Pkcs11.UserPin = string.Empty;
        options.Signing.Pkcs11.LibraryPath = "/nonexistent/lib.so";
        options.Storage.ConnectionString = string.Empty;
        options.Storage.TablePrefix = "bad-prefix";
        options.Ca.IssuingId = options.Ca.RootId;
        options.Names.AllowedDnsSuffixes = ["*.x"];
        options.Names.AllowedIpRanges = ["10.0.0.0/99"];
        options.Ca.RootSubject = "not a distinguished name";

        var message = new PkiOptionsValidator().Validate(null, options).FailureMessage;

        foreach (var setting in new[]
        {
            "Pki:PublicBaseUrl", "Pki:Signing:Pkcs11:UserPin", "Pki:Signing:Pkcs11:LibraryPath", "Pki:Storage:ConnectionString",
            "Pki:Storage:TablePrefix", "Pki:Ca:IssuingId", "Pki:Names:AllowedDnsSuffixes", "Pki:Names:AllowedIpRanges", "Pki:Ca:RootSubject",
        })
        {
            Assert.Contains(setting, message);
        }
    }

    [Fact]
    public void Key_vault_settings_pass_without_any_pkcs11_setting()
    {
        var options = Valid();
        options.Signing = new SigningOptions { Provider = "keyvault", KeyVault = { VaultUri = "https://pki-prod-kv.vault.azure.net/" } };
        Assert.True(new PkiOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("", "", "Pki:Signing:KeyVault:VaultUri is required")]
    [InlineData("http://pki-prod-kv.vault.azure.net/", "", "Pki:Signing:KeyVault:VaultUri must be an absolute https URL")]
    [InlineData("pki-prod-kv", "", "Pki:Signing:KeyVault:VaultUri must be an absolute https URL")]
    [InlineData("https://pki-prod-kv.vault.azure.net/keys/x", "", "Pki:Signing:KeyVault:VaultUri must be the vault's base URL")]
    [InlineData("https://10.0.0.4/", "", "Pki:Signing:KeyVault:VaultUri must be the vault's base URL")]
    [InlineData("https://pki-prod-kv.vault.azure.net/", "not-a-guid", "Pki:Signing:KeyVault:ManagedIdentityClientId")]
    public void Missing_or_bad_key_vault_settings_are_named(string vaultUri, string clientId, string message)
    {
        var options = Valid();
        options.Signing = new SigningOptions { Provider = "keyvault", KeyVault = { VaultUri = vaultUri, ManagedIdentityClientId = clientId } };
        var result = new PkiOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
    }

    [Fact]
    public void An_unknown_provider_is_refused_naming_both_known_ones()
    {
        var options = Valid();
        options.Signing.Provider = "azurekms";
        var message = new PkiOptionsValidator().Validate(null, options).FailureMessage;
        Assert.Contains("Pki:Signing:Provider", message);
        Assert.Contains("'pkcs11' or 'keyvault'", message);
    }
}
