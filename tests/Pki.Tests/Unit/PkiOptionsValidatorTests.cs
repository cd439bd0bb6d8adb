using Pki.Core;
using Pki.Core.Signing;

namespace Pki.Tests.Unit;

/// <summary>
/// <see cref="PkiOptionsValidator"/> as a whole: complete settings pass, and every capability's failures are named in
/// one message. Each capability's own rules are tested beside it (Signing/SigningOptionsValidationTests, ...).
/// </summary>
public sealed class PkiOptionsValidatorTests
{
    /// <summary>Settings that pass validation, for tests that change one part.</summary>
    internal static PkiOptions Valid() => new()
    {
        PublicBaseUrl = "http://localhost:7071",
        Signing = new SigningOptions
        {
            Provider = "pkcs11",
            Pkcs11 = { LibraryPath = typeof(PkiOptionsValidatorTests).Assembly.Location, TokenLabel = "t", UserPin = "1234" },
        },
        Storage = { ConnectionString = "UseDevelopmentStorage=true" },
    };

    [Fact]
    public void Complete_settings_pass()
    {
        Assert.True(new PkiOptionsValidator().Validate(null, Valid()).Succeeded);
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
}
