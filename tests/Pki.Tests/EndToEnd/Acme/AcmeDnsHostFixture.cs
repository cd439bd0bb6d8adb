using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// The ACME host of <see cref="AcmeHostFixture"/> with dns-01 asking a pebble-challtestsrv on loopback
/// (<c>Pki:Acme:DnsResolver</c>), whose TXT records the tests and lego's exec hook set.
/// </summary>
public sealed class AcmeDnsHostFixture : AcmeHostFixture
{
    public ChallTestSrv Dns { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Dns = await ChallTestSrv.StartAsync();
        await base.InitializeAsync();
    }

    protected override string[] ExtraHostArgs() => ["--Pki:Acme:DnsResolver=" + Dns.Resolver];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Dns is not null)
        {
            await Dns.DisposeAsync();
        }
    }
}
