using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pki.Core.Discovery.KeyVault;
using Pki.Core.Renewal;
using Pki.Tests.Infrastructure;
using Pki.Tests.Infrastructure.Mail;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// A dev host on its dev clock (moved with POST /admin/clock) that delivers to a <see cref="KeyVaultDouble"/>, the
/// vault of team platform (the admin's team) only, and may sweep it, with a notifier that records what owners are told. The vault client
/// retries once, so a test of a refusing vault need not wait for the SDK's default retries. Owners are mailed through a real
/// SMTP server (<see cref="SmtpSink"/>).
/// </summary>
public sealed class KeyVaultDeliveryHostFixture : DevHostFixture
{
    public KeyVaultDouble Vault { get; private set; } = null!;

    public RenewalHostFixture.RecordingNotifier Notifier { get; } = new();

    public SmtpSink Smtp { get; private set; } = null!;

    /// <summary>The delivery settings, for another host on the same storage.</summary>
    /// <remarks>Profile tls-client requires approval here, for the Key Vault enrollments and renewals held for an approver.</remarks>
    public string[] DeliveryArgs => ["--Pki:Delivery:TeamVaults:" + TestCallers.Admin.Team + ":0=" + Vault.VaultUri, "--Pki:Delivery:RetryDelaySeconds=60", "--Pki:Profiles:tls-client:RequiresApproval=true"];

    public override async Task InitializeAsync()
    {
        Vault = await KeyVaultDouble.StartAsync();
        Smtp = await SmtpSink.StartAsync();
        string[] args =
        [
            .. Smtp.HostArgs("pki@corp.internal", "pki-admins@corp.internal"),
            .. DeliveryArgs,
            "--Pki:Discovery:AllowedVaultHostSuffixes:0=127.0.0.1",
            "--AzureFunctionsJobHost:extensions:queues:visibilityTimeout=00:00:00.200",
            "--AzureFunctionsJobHost:extensions:queues:maxPollingInterval=00:00:00.500",
        ];
        await StartHostAsync(args, services =>
        {
            services.Replace(ServiceDescriptor.Singleton<IKeyVaultClientFactory>(new KeyVaultClientFactory(Vault.Credential, Vault.ClientOptions(maxRetries: 1))));
            services.Replace(ServiceDescriptor.Singleton<IRenewalNotifier>(Notifier));
        });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Vault.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
