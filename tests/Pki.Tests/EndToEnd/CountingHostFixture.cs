using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Pki.Core.Authority;
using Pki.Core.Signing;
using Pki.Local.Timers;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// A dev host whose signatures are counted by key, on a clock that stands still until a test moves it, so what depends
/// on elapsed time (throttles, budgets) depends on the test, never on how loaded the machine is.
/// </summary>
public class CountingHostFixture : DevHostFixture
{
    /// <summary>
    /// Whole seconds, as certificates and CRLs hold their times; an hour behind the machine's clock, so the minutes tests
    /// move it on never put a thisUpdate in the future of openssl, which reads the machine's clock.
    /// </summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).AddHours(-1));

    public CountingKeyManager Keys { get; } = new(SharedPkcs11.Instance);

    /// <summary>Settings of a derived fixture, on top of the test host's.</summary>
    protected virtual string[] Settings => [];

    public override Task InitializeAsync() =>
        StartHostAsync(Settings, services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
            services.Replace(ServiceDescriptor.Singleton<IKeyManager>(Keys));
        });

    /// <summary>The key a CA signs with (its certificates and CRLs), to count its signatures apart from the OCSP responder's.</summary>
    public async Task<KeyUri> KeyOfAsync(string caId) => (await App.Services.GetRequiredService<AuthorityDirectory>().GetAsync(caId)).KeyUri;

    /// <summary>Runs a timer function by hand, as the host's admin API does, and returns when it has finished.</summary>
    public Task RunTimerAsync(string name) => App.Services.GetRequiredService<TimerFunctionRunner>().RunAsync(name);
}
