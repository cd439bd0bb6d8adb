using Pki.Core.Authority;

namespace Pki.Tests.Unit.Authority;

public sealed class AutoRenewalTests
{
    private static readonly DateTimeOffset NotBefore = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Auto_renewal_defaults_on_for_tls_profiles_and_a_record_may_turn_it_off()
    {
        var record = new CertificateRecord("01", "ca", CertificateStatus.Issued, ProfileNames.TlsServer, "alice", "CN=a", NotBefore, NotBefore.AddDays(45), "r", NotBefore);
        Assert.True(AutoRenewal.AutoRenews(record));
        Assert.True(AutoRenewal.AutoRenews(record with { Profile = ProfileNames.TlsClient }));
        Assert.False(AutoRenewal.AutoRenews(record with { AutoRenew = false }));
        Assert.False(AutoRenewal.AutoRenews(record with { Profile = "other" }));
    }
}
