using Pki.Core;
using Pki.Core.Signing;

namespace Pki.Tests.Unit.Reports;

public sealed class ReportsOptionsTests
{
    [Fact]
    public void Report_settings_out_of_range_are_named_and_the_defaults_pass()
    {
        Assert.True(new PkiOptionsValidator().Validate(null, Valid()).Succeeded);

        var options = Valid();
        options.Reports.PageSize = 1001;
        options.Reports.RecordReadConcurrency = 0;
        options.Reports.MaxOwnershipCertificates = 0;
        options.Reports.MaxDiscoveredLeafLifetimeDays = 0;
        var message = new PkiOptionsValidator().Validate(null, options).FailureMessage;

        foreach (var setting in new[] { "Pki:Reports:PageSize", "Pki:Reports:RecordReadConcurrency", "Pki:Reports:MaxOwnershipCertificates", "Pki:Reports:MaxDiscoveredLeafLifetimeDays" })
        {
            Assert.Contains(setting, message);
        }
    }

    private static PkiOptions Valid() => new()
    {
        PublicBaseUrl = "http://localhost:7071",
        Signing = new SigningOptions
        {
            Provider = "pkcs11",
            Pkcs11 = { LibraryPath = typeof(ReportsOptionsTests).Assembly.Location, TokenLabel = "t", UserPin = "1234" },
        },
        Storage = { ConnectionString = "UseDevelopmentStorage=true" },
    };
}
