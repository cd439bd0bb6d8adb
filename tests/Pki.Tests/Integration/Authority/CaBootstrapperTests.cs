using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Access;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Authority;

/// <summary>Bootstrap on the real token and tables, with time from a fake clock.</summary>
public sealed class CaBootstrapperTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static CaBootstrapper Bootstrapper(PkiOptions options, FakeTimeProvider time)
    {
        var wrapped = Options.Create(options);
        return new CaBootstrapper(
            new CaKeys(SharedPkcs11.Instance, new TableKeyRecordStore(new TableStorage(wrapped)), wrapped, time, NullLogger<CaKeys>.Instance),
            new TableAuthorityStore(new TableStorage(wrapped)),
            new CertificateFactory(new CaUrls(wrapped)),
            new AuditTrail(new TableAuditStore(new TableStorage(wrapped)), new CallerContext(), time, NullLogger<AuditTrail>.Instance),
            time,
            wrapped,
            NullLogger<CaBootstrapper>.Instance);
    }

    private static PkiOptions Options_() => new()
    {
        PublicBaseUrl = "http://pki.test",
        Signing = { Provider = "pkcs11", Pkcs11 = { TokenLabel = TestEnvironment.TokenLabel } },
        Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = TestEnvironment.UniqueId("b") },
        Ca = { RootId = TestEnvironment.UniqueId("root-"), IssuingId = TestEnvironment.UniqueId("issuing-") },
    };

    [Fact]
    public async Task Concurrent_bootstraps_agree_on_one_hierarchy_and_a_later_one_reuses_it()
    {
        var options = Options_();
        var time = new FakeTimeProvider(Now);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Bootstrapper(options, time).EnsureHierarchyAsync())));

        Assert.Single(results.Select(r => Convert.ToBase64String(r.Root.CertificateDer)).Distinct());
        Assert.Single(results.Select(r => Convert.ToBase64String(r.Issuing.CertificateDer)).Distinct());

        time.Advance(TimeSpan.FromDays(30));
        var later = await Bootstrapper(options, time).EnsureHierarchyAsync();
        Assert.Equal(results[0].Root.CertificateDer, later.Root.CertificateDer);
        Assert.Equal(results[0].Issuing.CertificateDer, later.Issuing.CertificateDer);
    }

    [Fact]
    public async Task Validity_comes_from_the_injected_clock_and_the_issuing_ca_ends_within_the_root()
    {
        var options = Options_();
        options.Ca.RootValidityDays = 100;
        options.Ca.IssuingValidityDays = 365;
        var (root, issuing) = await Bootstrapper(options, new FakeTimeProvider(Now)).EnsureHierarchyAsync();

        Assert.Equal(Now.AddMinutes(-5).UtcDateTime, root.Certificate.NotBefore.ToUniversalTime());
        Assert.Equal(Now.AddDays(100).UtcDateTime, root.Certificate.NotAfter.ToUniversalTime());
        Assert.Equal(root.Certificate.NotAfter, issuing.Certificate.NotAfter);
        Assert.Equal(root.NotAfter, issuing.NotAfter);
    }
}
