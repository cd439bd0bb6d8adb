using Pki.Core;
using Pki.Core.Signing;

namespace Pki.Tests.Unit.Signing;

/// <summary>The key store settings (<see cref="SigningOptionsValidation"/>) through the start-up validator.</summary>
public sealed class SigningOptionsValidationTests
{
    [Theory]
    [InlineData("", "Pki:Signing:Provider")]
    [InlineData("software", "Pki:Signing:Provider")]
    public void The_key_store_must_be_named_and_software_is_never_accepted(string provider, string setting)
    {
        var options = PkiOptionsValidatorTests.Valid();
        options.Signing.Provider = provider;
        var result = new PkiOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage);
    }

    [Fact]
    public void Key_vault_settings_pass_without_any_pkcs11_setting()
    {
        var options = PkiOptionsValidatorTests.Valid();
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
        var options = PkiOptionsValidatorTests.Valid();
        options.Signing = new SigningOptions { Provider = "keyvault", KeyVault = { VaultUri = vaultUri, ManagedIdentityClientId = clientId } };
        var result = new PkiOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
    }

    [Fact]
    public void An_unknown_provider_is_refused_naming_both_known_ones()
    {
        var options = PkiOptionsValidatorTests.Valid();
        options.Signing.Provider = "azurekms";
        var message = new PkiOptionsValidator().Validate(null, options).FailureMessage;
        Assert.Contains("Pki:Signing:Provider", message);
        Assert.Contains("'pkcs11' or 'keyvault'", message);
    }
}
