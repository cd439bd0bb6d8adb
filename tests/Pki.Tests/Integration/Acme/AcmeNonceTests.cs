using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Acme;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Acme;

/// <summary>
/// Nonces against Azurite's Table service, two "hosts" (two <see cref="AcmeNonces"/> on their own
/// <see cref="TableStorage"/>) sharing one storage account: issuing costs no write, using one costs one insert.
/// </summary>
public sealed class AcmeNonceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 9, 30, 0, TimeSpan.Zero));
    private readonly IOptions<PkiOptions> _options;
    private readonly TableServiceClient _service = new(TestEnvironment.StorageConnectionString);
    private readonly string _prefix = TestEnvironment.UniqueId("n");

    public AcmeNonceTests() =>
        _options = Options.Create(new PkiOptions { Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = _prefix } });

    private AcmeNonces Host() => new(new TableAcmeStore(new TableStorage(_options)), _time, _options);

    private TableClient NonceTable => _service.GetTableClient(_prefix + AcmeTableNames.Nonces);

    private List<TableEntity> Rows() => NonceTable.Query<TableEntity>().ToList();

    [Fact]
    public async Task A_nonce_from_one_host_is_good_once_on_any_host_and_issuing_writes_nothing()
    {
        var (a, b) = (Host(), Host());
        var nonce = await a.NewAsync();
        var rowsAfterFirst = Rows().Count; // the shared key's row, made by the first host
        var others = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => b.NewAsync()));
        Assert.Equal(rowsAfterFirst, Rows().Count);
        Assert.Equal(21, others.Append(nonce).Distinct().Count());

        await b.ConsumeAsync(nonce);
        var replayed = await Assert.ThrowsAsync<AcmeProblemException>(() => a.ConsumeAsync(nonce));
        Assert.Equal(AcmeErrors.BadNonce, replayed.AcmeType);
        Assert.Contains("used already", replayed.Detail, StringComparison.Ordinal);
        Assert.Equal(rowsAfterFirst + 1, Rows().Count);
    }

    [Fact]
    public async Task Concurrent_replays_of_one_nonce_on_two_hosts_let_exactly_one_through()
    {
        var (a, b) = (Host(), Host());
        var nonce = await a.NewAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            try
            {
                await (i % 2 == 0 ? a : b).ConsumeAsync(nonce);
                return true;
            }
            catch (AcmeProblemException e) when (e.AcmeType == AcmeErrors.BadNonce)
            {
                return false;
            }
        }));
        Assert.Equal(1, outcomes.Count(ok => ok));
    }

    [Fact]
    public async Task A_forged_or_altered_nonce_is_refused_and_stores_nothing()
    {
        var host = Host();
        var nonce = await host.NewAsync();
        var rows = Rows().Count;
        var bytes = Base64Url.Decode(nonce);
        bytes[0] ^= 1; // another random part under the same MAC
        var altered = Base64Url.Encode(bytes);
        var forged = Base64Url.Encode(new byte[bytes.Length]);
        foreach (var bad in new[] { altered, forged, nonce[..^2], "not base64url!" })
        {
            var refused = await Assert.ThrowsAsync<AcmeProblemException>(() => host.ConsumeAsync(bad));
            Assert.Equal(AcmeErrors.BadNonce, refused.AcmeType);
        }

        Assert.Equal(rows, Rows().Count);
        await host.ConsumeAsync(nonce); // the genuine one is still good
    }

    [Fact]
    public async Task A_nonce_past_its_lifetime_is_refused_and_the_sweep_drops_only_expired_hours()
    {
        var host = Host();
        var old = await host.NewAsync();
        var usedOld = await host.NewAsync();
        await host.ConsumeAsync(usedOld);

        _time.Advance(TimeSpan.FromMinutes(_options.Value.Acme.NonceLifetimeMinutes) + TimeSpan.FromHours(2));
        var expired = await Assert.ThrowsAsync<AcmeProblemException>(() => host.ConsumeAsync(old));
        Assert.Contains("expired", expired.Detail, StringComparison.Ordinal);

        var recent = await host.NewAsync();
        await host.ConsumeAsync(recent);
        Assert.Equal(3, Rows().Count); // the key, the old used nonce, the recent used nonce

        Assert.Equal(1, await host.SweepAsync());
        var left = Rows().Select(r => r.RowKey).ToList();
        Assert.Contains(recent, left);
        Assert.DoesNotContain(usedOld, left);
        Assert.Equal(2, left.Count);

        // The key survived: nonces issued before the sweep still verify.
        var afterSweep = await host.NewAsync();
        await Host().ConsumeAsync(afterSweep);
    }
}
