using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Revocation;
using Pki.Core.Revocation.Ocsp;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Revocation;

/// <summary>The revocation stores against Azurite's Table and Blob services.</summary>
public sealed class RevocationStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
    private readonly IOptions<PkiOptions> _options = Options.Create(new PkiOptions
    {
        Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = TestEnvironment.UniqueId("r") },
    });

    [Fact]
    public async Task Concurrent_allocations_of_crl_numbers_never_repeat_and_only_rise()
    {
        var numbers = new TableCrlNumberStore(new TableStorage(_options));
        var allocated = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => numbers.NextAsync("ca-1")));
        Assert.Equal(Enumerable.Range(1, 24).Select(i => (long)i), allocated.Order());
        Assert.Equal(1, await numbers.NextAsync("ca-2"));
        Assert.Equal(25, await numbers.NextAsync("ca-1"));
    }

    [Fact]
    public async Task A_stored_crl_is_replaced_only_by_a_higher_number()
    {
        var store = new BlobCrlStore(new BlobStorage(_options));
        var id = CrlId.ForShard("ca-1", 2);
        Assert.Null(await store.GetInfoAsync(id));

        Assert.True(await store.TryPublishAsync(id, new byte[] { 5 }, Info(5)));
        Assert.False(await store.TryPublishAsync(id, new byte[] { 3 }, Info(3)));
        Assert.False(await store.TryPublishAsync(id, new byte[] { 5 }, Info(5)));
        Assert.Equal(5, (await store.GetInfoAsync(id))!.CrlNumber);

        Assert.True(await store.TryPublishAsync(id, new byte[] { 9, 9 }, Info(9)));
        await using var stored = await store.OpenAsync(id);
        using var copy = new MemoryStream();
        await stored!.Content.CopyToAsync(copy);
        Assert.Equal(new byte[] { 9, 9 }, copy.ToArray());
        Assert.Equal(9, stored.Info.CrlNumber);
        Assert.Equal(2, stored.Info.Length);
        Assert.Null(await store.OpenAsync(CrlId.Delta("ca-1")));
    }

    [Fact]
    public async Task A_shard_is_a_range_of_the_cas_partition_and_a_delta_reads_by_recording_time()
    {
        var store = new TableRevocationStore(new TableStorage(_options));
        await store.UpsertAsync(new RevocationEntry("ca-1", "aa01", 0, Now.AddHours(-3), RevocationReason.KeyCompromise, Now.AddDays(10), Now.AddHours(-3)));
        await store.UpsertAsync(new RevocationEntry("ca-1", "bb02", 1, Now.AddHours(-2), RevocationReason.Superseded, Now.AddDays(10), Now.AddHours(-2)));

        // Revoked three hours ago but written only now (a late repair): the delta still finds it.
        await store.UpsertAsync(new RevocationEntry("ca-1", "cc03", 1, Now.AddHours(-3), RevocationReason.Unspecified, Now.AddDays(10), Now.AddHours(-1)));
        await store.UpsertAsync(new RevocationEntry("ca-2", "dd04", 1, Now, RevocationReason.Unspecified, Now.AddDays(10), Now));

        // Writing the same entry again changes nothing.
        await store.UpsertAsync(new RevocationEntry("ca-1", "cc03", 1, Now.AddHours(-3), RevocationReason.Unspecified, Now.AddDays(10), Now.AddHours(-1)));

        Assert.Equal(["aa01", "bb02", "cc03"], await Serials(store.ListAsync("ca-1")));
        Assert.Equal(["bb02", "cc03"], await Serials(store.ListAsync("ca-1", 1)));
        Assert.Empty(await Serials(store.ListAsync("ca-1", 2)));
        Assert.Equal(["bb02", "cc03"], await Serials(store.ListRecordedSinceAsync("ca-1", Now.AddHours(-2))));
        var first = await store.ListAsync("ca-1", 0).FirstAsync();
        Assert.Equal((Now.AddHours(-3), RevocationReason.KeyCompromise, Now.AddDays(10)), (first.RevokedAt, first.Reason, first.NotAfter));
    }

    [Fact]
    public async Task An_entry_marks_its_shard_pending_and_a_marker_written_again_after_the_read_survives_the_clear()
    {
        var store = new TableRevocationStore(new TableStorage(_options));
        await store.UpsertAsync(new RevocationEntry("ca-1", "aa01", 2, Now, RevocationReason.KeyCompromise, Now.AddDays(10), Now));
        await store.UpsertAsync(new RevocationEntry("ca-1", "bb02", 3, Now, RevocationReason.Superseded, Now.AddDays(10), Now));
        var read = await store.ListPendingAsync("ca-1");
        Assert.Equal([2, 3], read.Select(p => p.Shard).Order());

        // Another revocation in shard 3 after the publisher read the markers: its marker is not cleared.
        await store.UpsertAsync(new RevocationEntry("ca-1", "cc03", 3, Now, RevocationReason.Unspecified, Now.AddDays(10), Now.AddSeconds(1)));
        Assert.True(await store.ClearPendingAsync("ca-1", read.Single(p => p.Shard == 2)));
        Assert.False(await store.ClearPendingAsync("ca-1", read.Single(p => p.Shard == 3)));
        Assert.Equal([3], (await store.ListPendingAsync("ca-1")).Select(p => p.Shard));
        Assert.Empty(await store.ListPendingAsync("ca-2"));

        // The markers are not entries: listing, delta selection and point reads see the entries only.
        Assert.Equal(["aa01", "bb02", "cc03"], await Serials(store.ListAsync("ca-1")));
        Assert.Equal(["aa01", "bb02", "cc03"], await Serials(store.ListRecordedSinceAsync("ca-1", Now.AddHours(-1))));
        Assert.Equal(RevocationReason.Superseded, (await store.GetAsync("ca-1", 3, "bb02"))!.Reason);
        Assert.Null(await store.GetAsync("ca-1", 2, "bb02"));
    }

    [Fact]
    public async Task A_stored_revoked_response_is_never_replaced_by_good_and_the_refresh_entry_moves()
    {
        var store = new TableOcspResponseStore(new TableStorage(_options));
        var good = new StoredOcspResponse("ab01", "ca-1", OcspCertStatus.Good, Now, Now.AddHours(24), Now.AddHours(12), [1]);
        Assert.Equal(good, await store.SaveAsync(good));
        Assert.Equal(["ab01"], await store.ListDueAsync("ca-1", Now.AddHours(13)).Select(d => d.SerialNumber).ToArrayAsync());

        var revoked = good with { Status = OcspCertStatus.Revoked, ThisUpdate = Now.AddHours(1), RefreshAt = Now.AddHours(13), ResponseDer = [2] };
        Assert.Equal(OcspCertStatus.Revoked, (await store.SaveAsync(revoked)).Status);

        // A signer that read the record before the revocation finishes late: its "good" does not land.
        var late = await store.SaveAsync(good with { ThisUpdate = Now.AddHours(2), RefreshAt = Now.AddHours(14), ResponseDer = [3] });
        Assert.Equal(OcspCertStatus.Revoked, late.Status);
        var stored = await store.GetAsync("ab01");
        Assert.Equal((OcspCertStatus.Revoked, (byte)2), (stored!.Status, stored.ResponseDer.Single()));

        // One refresh entry, at the revoked response's time.
        Assert.Empty(await store.ListDueAsync("ca-1", Now.AddHours(12).AddSeconds(30)).ToArrayAsync());
        Assert.Single(await store.ListDueAsync("ca-1", Now.AddHours(15)).ToArrayAsync());
    }

    private static async Task<string[]> Serials(IAsyncEnumerable<RevocationEntry> entries) =>
        (await entries.Select(e => e.SerialNumber).ToArrayAsync()).Order(StringComparer.Ordinal).ToArray();

    private static CrlInfo Info(long number) => new(number, Now, Now.AddDays(1), Now, 0, null, 0);
}
