using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Acme;
using Pki.Core.Renewal;

namespace Pki.Tests.EndToEnd.Acme;

/// <summary>
/// An ACME certificate whose renewal window (RFC 9773) passed without a replacement gets the renewer's owner notice,
/// the one a certificate the pipeline could not renew gets (the same <see cref="IRenewalNotifier"/> call from
/// <see cref="RenewalService"/>): not while its window is open, and never for one an order replaced. On a fake clock.
/// </summary>
public sealed class AcmeRenewalWindowNoticeTests(AcmeClockHostFixture host) : IClassFixture<AcmeClockHostFixture>, IDisposable
{
    private readonly HttpClient _https = host.AcmeClient();

    public void Dispose() => _https.Dispose();

    [Fact]
    public async Task Window_passed_without_replacement_notifies_the_owner_as_an_unrenewed_certificate_and_a_replaced_one_does_not()
    {
        var (kid, hmac) = await host.CreateEabAsync();
        var client = await AcmeTestClient.Es256(_https, host.DirectoryUrl).LoadAsync();
        await client.RegisterAsync(kid, hmac);
        var lapsed = Leaf(await client.ObtainAsync("127.0.0.1", host.Http01Port));
        var replaced = Leaf(await client.ObtainAsync("127.0.0.2", host.Http01Port));
        var successor = Leaf(await client.ObtainAsync("127.0.0.2", host.Http01Port, replaces: AcmeCertId.Of(replaced.RawData).ToString()));
        var renewer = host.App.Services.GetRequiredService<RenewalService>();
        var index = host.App.Services.GetRequiredService<IRenewalIndex>();

        // The default window: the last third of the lifetime, closing halfway to expiry.
        var notAfter = new DateTimeOffset(lapsed.NotAfter.ToUniversalTime());
        var lifetime = notAfter - new DateTimeOffset(lapsed.NotBefore.ToUniversalTime());
        var start = notAfter - (lifetime / 3);
        var end = start + ((notAfter - start) / 2);

        // Inside the window (where the pipeline finds it due): no notice yet, and the certificate is indexed for the window's end.
        host.Time.SetUtcNow(start + TimeSpan.FromMinutes(1));
        Assert.Equal(RenewalOutcome.Deferred, await renewer.RenewAsync(new RenewalMessage(Serial(lapsed))));
        Assert.DoesNotContain(host.Notifier.Notices, n => n.Certificate.SerialNumber == Serial(lapsed));
        var entries = new List<RenewalIndexEntry>();
        await foreach (var entry in index.QueryDayAsync(RenewalDays.Of(end)))
        {
            entries.Add(entry);
        }

        Assert.Contains(entries, e => e.SerialNumber == Serial(lapsed) && e.DueAt == end && !e.Planned);

        // Past its end with no replacement: the owner notice of a certificate the renewer could not renew.
        host.Time.SetUtcNow(end + TimeSpan.FromSeconds(1));
        Assert.Equal(RenewalOutcome.OwnerNotified, await renewer.RenewAsync(new RenewalMessage(Serial(lapsed))));
        var notice = Assert.Single(host.Notifier.Notices, n => n.Certificate.SerialNumber == Serial(lapsed));
        Assert.Equal(RenewalNoticeReason.RenewalWindowPassed, notice.Reason);
        Assert.Equal("web", notice.Certificate.Team);
        Assert.Contains("renewal window", notice.Detail, StringComparison.Ordinal);

        // The one an order replaced is renewed as far as the renewer is concerned: no notice, before or after its window.
        Assert.Equal(RenewalOutcome.AlreadyRenewed, await renewer.RenewAsync(new RenewalMessage(Serial(replaced))));
        Assert.DoesNotContain(host.Notifier.Notices, n => n.Certificate.SerialNumber == Serial(replaced));

        // Its successor, issued at the real start time too, lapses alike: the check holds for every certificate it issued.
        Assert.Equal(RenewalOutcome.OwnerNotified, await renewer.RenewAsync(new RenewalMessage(Serial(successor))));
    }

    private static X509Certificate2 Leaf(string chainPem) => X509Certificate2.CreateFromPem(chainPem);

    private static string Serial(X509Certificate2 certificate) => AcmeCertId.Of(certificate.RawData).SerialNumber;
}
