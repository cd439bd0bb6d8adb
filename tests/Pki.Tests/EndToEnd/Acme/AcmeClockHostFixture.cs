using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Pki.Core.Renewal;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>The ACME dev host on a fake clock that a test moves through a certificate's renewal window, with the renewer's notices recorded.</summary>
public sealed class AcmeClockHostFixture : AcmeHostFixture
{
    /// <summary>Whole seconds, as certificates hold their times; started at the real time so that the host's TLS certificate is valid for the clients.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public RenewalHostFixture.RecordingNotifier Notifier { get; } = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
        services.Replace(ServiceDescriptor.Singleton<IRenewalNotifier>(Notifier));
    }
}
