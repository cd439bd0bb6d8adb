using Microsoft.Extensions.Configuration;
using Pki.Core;
using Pki.Core.Delivery;
using Pki.Core.Errors;

namespace Pki.Tests.Unit.Delivery;

public sealed class DeliveryOptionsTests
{
    [Theory]
    [InlineData("KeyVaults", "http://team-kv.vault.azure.net/")]
    [InlineData("KeyVaults", "https://team-kv.vault.azure.net/certificates/x")]
    [InlineData("KeyVaults", "team-kv")]
    [InlineData("RetryDelaySeconds", "0")]
    [InlineData("MaxAttempts", "0")]
    [InlineData("LeaseSeconds", "5")]
    public void A_setting_out_of_bounds_fails_start_up_naming_it(string setting, string value)
    {
        var options = Unit.PkiOptionsValidatorTests.Valid();
        switch (setting)
        {
            case "KeyVaults": options.Delivery.KeyVaults.Add(value); break;
            case "RetryDelaySeconds": options.Delivery.RetryDelaySeconds = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "MaxAttempts": options.Delivery.MaxAttempts = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: options.Delivery.LeaseSeconds = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
        }

        var result = new PkiOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Pki:Delivery:" + setting, result.FailureMessage);
    }

    [Fact]
    public void A_team_vault_is_an_https_uri_under_a_lower_case_team()
    {
        var options = Unit.PkiOptionsValidatorTests.Valid();
        options.Delivery.TeamVaults["Web"] = ["http://web-kv.vault.azure.net/"];
        var result = new PkiOptionsValidator().Validate(null, options);
        Assert.Contains("Pki:Delivery:TeamVaults:Web:0", result.FailureMessage);
        Assert.Contains("Pki:Delivery:TeamVaults:Web must name a team in lower case", result.FailureMessage);
    }

    [Fact]
    public void Vaults_bind_from_the_settings_infra_writes_whose_indexes_have_gaps()
    {
        // infra/main.bicep numbers deliveryVaults once across both lists, so each list has gaps.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pki:Delivery:KeyVaults:0"] = "https://shared-kv.vault.azure.net/",
            ["Pki:Delivery:TeamVaults:web:1"] = "https://web-kv.vault.azure.net/",
            ["Pki:Delivery:KeyVaults:2"] = "https://other-kv.vault.azure.net/",
        }).Build();
        var options = new PkiOptions();

        PkiOptionsBinding.Bind(configuration.GetSection(PkiOptions.Section), options);

        Assert.Equal(["https://shared-kv.vault.azure.net/", "https://other-kv.vault.azure.net/"], options.Delivery.KeyVaults);
        Assert.Equal(["https://web-kv.vault.azure.net/"], options.Delivery.TeamVaults["web"]);
    }

    [Fact]
    public void Vault_uris_pass_as_https_authorities()
    {
        var options = Unit.PkiOptionsValidatorTests.Valid();
        options.Delivery.KeyVaults.Add("https://team-kv.vault.azure.net/");
        options.Delivery.TeamVaults["web"] = ["https://web-kv.vault.azure.net/"];
        Assert.True(new PkiOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("http://team-kv.vault.azure.net/", "web", "vaultUri")]
    [InlineData("https://team-kv.vault.azure.net/?x=1", "web", "vaultUri")]
    [InlineData("https://team-kv.vault.azure.net/keys", "web", "vaultUri")]
    [InlineData(null, "web", "vaultUri")]
    [InlineData("https://team-kv.vault.azure.net/", "web_1", "certificateName")]
    [InlineData("https://team-kv.vault.azure.net/", "", "certificateName")]
    [InlineData("https://team-kv.vault.azure.net/", "web/1", "certificateName")]
    public void A_target_that_is_no_vault_certificate_is_refused_naming_the_field(string? vaultUri, string name, string field)
    {
        var e = Assert.Throws<ProblemException>(() => KeyVaultTarget.Parse(vaultUri, name));
        Assert.Equal(ProblemKind.BadRequest, e.Kind);
        Assert.Contains($"'{field}'", e.Detail);
    }

    [Fact]
    public void A_target_is_the_vaults_authority_and_the_name()
    {
        var target = KeyVaultTarget.Parse("https://Team-KV.vault.azure.net/", "web-1");
        Assert.Equal(new Uri("https://team-kv.vault.azure.net/"), target.VaultUri);
        Assert.Equal("https://team-kv.vault.azure.net/certificates/web-1", target.Id);
    }
}
