using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Notifications;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>Issue 16 item 8: a setting whose value does not fit (UseTls=Off) is named with its valid values, without a stack trace.</summary>
public sealed class ConfigurationErrorTests
{
    [Fact]
    public async Task The_dev_host_lists_a_mistyped_choice_with_its_valid_values_and_exits_without_a_stack_trace()
    {
        string[] args =
        [
            .. DevHostFixture.HostArgs(TestEnvironment.UniqueId("t"), TestEnvironment.UniqueId("root-"), TestEnvironment.UniqueId("issuing-")),
            "--Pki:Notifications:Smtp:Host=127.0.0.1",
            "--Pki:Notifications:Smtp:From=pki@corp.internal",
            "--Pki:Notifications:Smtp:UseTls=Off",
            "--Pki:Notifications:Smtp:Port=submission",
        ];
        var psi = new ProcessStartInfo("dotnet", [RepoPaths.BuildOutput(Path.Combine("local", "Pki.Local"), "Pki.Local.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var host = Process.Start(psi)!;
        var stdout = host.StandardOutput.ReadToEndAsync();
        var stderr = host.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;

        Assert.True(host.ExitCode == StartupCheck.ConfigurationErrorExitCode, $"exit {host.ExitCode}: {output}");
        Assert.Contains("Pki:Notifications:Smtp:UseTls must be one of StartTlsWhenAvailable, StartTls, SslOnConnect, None; got 'Off'.", output, StringComparison.Ordinal);
        Assert.Contains("Pki:Notifications:Smtp:Port must be a whole number; got 'submission'.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_setting_that_fits_is_bound_as_before_and_each_that_does_not_is_reported()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pki:Notifications:Smtp:UseTls"] = "sslonconnect",
            ["Pki:Notifications:Smtp:Port"] = "465",
            ["Pki:Notifications:ThresholdsDays:0"] = "10",
            ["Pki:Notifications:ThresholdsDays:1"] = "ten",
            ["Pki:Ca:IssuingSignatureScheme"] = "RsaPss",
            ["Pki:Profiles:tls-server:MaxValidityDays"] = "30",
            ["Pki:Access:Teams:fleet:Names:0"] = "*.fleet.internal",
            ["Pki:Discovery:ProbeLegacyProtocols"] = "maybe",
        }).Build();
        var options = new PkiOptions();

        PkiOptionsBinding.Bind(configuration.GetSection(PkiOptions.Section), options);

        Assert.Equal((SmtpTls.SslOnConnect, 465, 30), (options.Notifications.Smtp.UseTls, options.Notifications.Smtp.Port, options.Profiles["tls-server"].MaxValidityDays));
        Assert.Equal(["*.fleet.internal"], options.Access.Teams["FLEET"].Names);
        var failure = new PkiOptionsValidator().Validate(null, options).FailureMessage;
        Assert.Contains("Pki:Notifications:ThresholdsDays:1 must be a whole number; got 'ten'.", failure, StringComparison.Ordinal);
        Assert.Contains("Pki:Ca:IssuingSignatureScheme must be one of EcdsaSha256", failure, StringComparison.Ordinal);
        Assert.Contains("Pki:Discovery:ProbeLegacyProtocols must be true or false; got 'maybe'.", failure, StringComparison.Ordinal);
    }
}
