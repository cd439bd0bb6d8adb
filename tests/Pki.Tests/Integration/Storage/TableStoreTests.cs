using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Revocation.Ocsp;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Storage;

/// <summary>Against Azurite's Table service.</summary>
public sealed class TableStoreTests
{
    private readonly string _prefix = TestEnvironment.UniqueId("s");
    private readonly TableStorage _storage;

    public TableStoreTests()
    {
        _storage = new TableStorage(Options.Create(new PkiOptions
        {
            Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = _prefix },
        }));
    }

    private static CertificateRecord Record(string serial, DateTimeOffset notAfter) => new(
        serial, "issuing", CertificateStatus.Issuing, "tls-server", "alice", "CN=a.internal",
        notAfter.AddDays(-47), notAfter, "req-1", notAfter.AddDays(-47));

    [Fact]
    public async Task A_serial_is_reserved_once_and_read_back_by_point_read()
    {
        var store = new TableCertificateStore(_storage);
        var serial = SerialNumbers.ToHex(SerialNumbers.New());
        var notAfter = new DateTimeOffset(2027, 1, 13, 8, 9, 12, TimeSpan.Zero);

        Assert.NotNull(await store.TryReserveAsync(Record(serial, notAfter)));
        Assert.Null(await store.TryReserveAsync(Record(serial, notAfter) with { Owner = "mallory" }));
        var reserved = await store.GetAsync(serial);
        Assert.Equal(CertificateStatus.Issuing, reserved!.Status);
        Assert.Equal("alice", reserved.Owner);
        Assert.Null(reserved.CertificateDer);
        Assert.Null(await store.GetAsync("ffff"));
    }

    [Fact]
    public async Task An_abandoned_reservation_is_never_marked_issued_and_a_repeated_mark_of_the_same_certificate_counts_as_done()
    {
        var store = new TableCertificateStore(_storage);
        var notAfter = new DateTimeOffset(2027, 1, 13, 8, 9, 12, TimeSpan.Zero);
        var issued = (string serial) => Record(serial, notAfter) with { Status = CertificateStatus.Issued, CertificateDer = [7, 7, 7], IssuedAt = notAfter.AddDays(-47) };

        var abandonedSerial = SerialNumbers.ToHex(SerialNumbers.New());
        var version = await store.TryReserveAsync(Record(abandonedSerial, notAfter));
        Assert.Equal(CertificateStatus.Abandoned, (await store.AbandonIfIssuingAsync(abandonedSerial))!.Status);
        Assert.False(await store.TryMarkIssuedAsync(issued(abandonedSerial), version!));
        Assert.Equal(CertificateStatus.Abandoned, (await store.GetAsync(abandonedSerial))!.Status);

        // The client's retry of a write that landed (its answer lost) meets a changed version: still done.
        var serial = SerialNumbers.ToHex(SerialNumbers.New());
        var reserved = await store.TryReserveAsync(Record(serial, notAfter));
        Assert.True(await store.TryMarkIssuedAsync(issued(serial), reserved!));
        Assert.True(await store.TryMarkIssuedAsync(issued(serial), reserved!));
        Assert.False(await store.TryMarkIssuedAsync(issued(serial) with { CertificateDer = [8] }, reserved!));
        Assert.Equal(CertificateStatus.Issued, (await store.AbandonIfIssuingAsync(serial))!.Status);
    }

    [Fact]
    public async Task Issued_certificate_is_indexed_under_its_expiry_day()
    {
        var store = new TableCertificateStore(_storage);
        var serial = SerialNumbers.ToHex(SerialNumbers.New());
        var notAfter = new DateTimeOffset(2027, 1, 13, 23, 59, 59, TimeSpan.Zero);
        var reserved = await store.TryReserveAsync(Record(serial, notAfter));

        Assert.True(await store.TryMarkIssuedAsync(Record(serial, notAfter) with { Status = CertificateStatus.Issued, CertificateDer = [1, 2, 3], IssuedAt = notAfter.AddDays(-47) }, reserved!));
        var issued = await store.GetAsync(serial);
        await store.IndexAsync(issued!);

        Assert.Equal(CertificateStatus.Issued, issued!.Status);
        Assert.Equal(new byte[] { 1, 2, 3 }, issued.CertificateDer);
        Assert.Equal(notAfter, issued.NotAfter);

        // One partition per expiry day: a renewal pass reads only the partitions that are due.
        var index = new TableClient(TestEnvironment.StorageConnectionString, _prefix + TableNames.ExpiryIndex);
        var entries = new List<TableEntity>();
        await foreach (var e in index.QueryAsync<TableEntity>(e => e.PartitionKey == "20270113"))
        {
            entries.Add(e);
        }

        Assert.Equal(serial, Assert.Single(entries).RowKey);
    }

    [Fact]
    public async Task A_certificate_is_kept_in_the_partition_its_serial_names_and_one_kept_as_earlier_releases_did_is_still_read_and_revoked()
    {
        var store = new TableCertificateStore(_storage);
        var table = new TableClient(TestEnvironment.StorageConnectionString, _prefix + TableNames.Certificates);
        var notAfter = new DateTimeOffset(2027, 1, 13, 8, 9, 12, TimeSpan.Zero);

        var serial = SerialNumbers.ToHex(SerialNumbers.New(0x1234));
        Assert.StartsWith("1234", serial, StringComparison.Ordinal);
        Assert.NotNull(await store.TryReserveAsync(Record(serial, notAfter)));
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>("1234", serial)).HasValue);

        // A partition per serial and an empty RowKey, as certificates were stored before serial partitions.
        var legacy = SerialNumbers.ToHex(SerialNumbers.New());
        Assert.NotNull(await store.TryReserveAsync(Record(legacy, notAfter)));
        var moved = (await table.GetEntityAsync<TableEntity>(SerialNumbers.PartitionOf(legacy), legacy)).Value;
        await table.DeleteEntityAsync(moved.PartitionKey, moved.RowKey);
        moved.PartitionKey = legacy;
        moved.RowKey = string.Empty;
        moved["Status"] = nameof(CertificateStatus.Issued);
        await table.AddEntityAsync(moved);

        Assert.Equal(CertificateStatus.Issued, (await store.GetAsync(legacy))!.Status);
        Assert.True((await store.TryRevokeAsync(legacy, notAfter.AddDays(-1), RevocationReason.KeyCompromise))!.Changed);
        Assert.Equal(CertificateStatus.Revoked, (await store.GetAsync(legacy))!.Status);
        Assert.Equal(CertificateStatus.Revoked, (await table.GetEntityAsync<TableEntity>(legacy, string.Empty)).Value.GetString("Status") is { } status ? Enum.Parse<CertificateStatus>(status) : default);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>(SerialNumbers.PartitionOf(legacy), legacy)).HasValue);
    }

    [Fact]
    public async Task An_ocsp_response_is_kept_in_the_partition_its_serial_names_one_kept_as_earlier_releases_did_is_read_and_replaced_in_place_and_revoked_is_never_overwritten()
    {
        var store = new TableOcspResponseStore(_storage);
        var table = new TableClient(TestEnvironment.StorageConnectionString, _prefix + TableNames.OcspResponses);
        var refresh = new TableClient(TestEnvironment.StorageConnectionString, _prefix + TableNames.OcspRefresh);
        var at = new DateTimeOffset(2027, 1, 13, 8, 0, 0, TimeSpan.Zero);
        StoredOcspResponse Response(string serial, OcspCertStatus status, byte tag) =>
            new(serial, "issuing", status, at, at.AddDays(4), at.AddDays(2), [0x30, tag]);

        // A new certificate's first response: added in the serial's partition, its refresh entry beside it.
        var serial = SerialNumbers.ToHex(SerialNumbers.New(0x3eef));
        await store.AddFirstAsync(Response(serial, OcspCertStatus.Good, 1));
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>("3eef", serial)).HasValue);
        Assert.Equal([0x30, 1], (await store.GetAsync(serial))!.ResponseDer);
        Assert.Equal(serial, (await store.GetAsync(serial))!.SerialNumber);
        Assert.True((await refresh.GetEntityIfExistsAsync<TableEntity>("issuing", "20270115080000-" + serial)).HasValue);

        // Revoked wins over a later "good" (a signer that read the record before the revocation), through either call.
        await store.SaveAsync(Response(serial, OcspCertStatus.Revoked, 2));
        Assert.Equal(OcspCertStatus.Revoked, (await store.SaveAsync(Response(serial, OcspCertStatus.Good, 3))).Status);
        Assert.Equal(OcspCertStatus.Revoked, (await store.AddFirstAsync(Response(serial, OcspCertStatus.Good, 4))).Status);
        Assert.Equal([0x30, 2], (await store.GetAsync(serial))!.ResponseDer);

        // A partition per serial and an empty RowKey, as responses were stored before serial partitions: read, and
        // replaced where it is, so no second row appears beside it.
        var legacy = SerialNumbers.ToHex(SerialNumbers.New());
        await table.AddEntityAsync(new TableEntity(legacy, string.Empty)
        {
            ["IssuerId"] = "issuing", ["Status"] = nameof(OcspCertStatus.Good), ["ThisUpdate"] = at, ["NextUpdate"] = at.AddDays(4),
            ["RefreshAt"] = at.AddDays(2), ["RefreshKey"] = "20270115080000-" + legacy, ["ResponseDer"] = new byte[] { 0x30, 5 },
        });
        Assert.Equal(legacy, (await store.GetAsync(legacy))!.SerialNumber);
        Assert.Equal([0x30, 5], (await store.GetAsync(legacy))!.ResponseDer);
        await store.SaveAsync(Response(legacy, OcspCertStatus.Revoked, 6));
        Assert.Equal([0x30, 6], (await store.GetAsync(legacy))!.ResponseDer);
        Assert.Equal(nameof(OcspCertStatus.Revoked), (await table.GetEntityAsync<TableEntity>(legacy, string.Empty)).Value.GetString("Status"));
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>(SerialNumbers.PartitionOf(legacy), legacy)).HasValue);
        Assert.Null(await store.GetAsync(SerialNumbers.ToHex(SerialNumbers.New())));
    }

    [Fact]
    public async Task Idempotency_key_is_claimed_once_and_every_claim_write_needs_the_current_version()
    {
        var requests = new TableRequestStore(_storage);
        var key = "key/with#chars?" + Guid.NewGuid();
        var record = new IssuanceRequestRecord("r1", key, "hash", RequestStatus.Pending, DateTimeOffset.UtcNow);

        var claim = await requests.TryStartAsync(record);
        Assert.NotNull(claim?.Version);
        Assert.Null(await requests.TryStartAsync(record with { RequestId = "r2" }));
        var pending = await requests.GetByIdempotencyKeyAsync(key);
        Assert.Equal(("r1", RequestStatus.Pending, (string?)null, claim!.Version), (pending!.RequestId, pending.Status, pending.SerialNumber, pending.Version));

        var attached = await requests.TryAttachSerialAsync(claim, "abc", DateTimeOffset.UtcNow);
        Assert.NotNull(attached);
        Assert.NotEqual(claim.Version, attached!.Version);

        // The version before the attach is stale now: completing or releasing with it changes nothing.
        Assert.False(await requests.TryCompleteAsync(claim));
        Assert.False(await requests.TryReleaseAsync(claim));
        Assert.Null(await requests.TryAttachSerialAsync(claim, "def", DateTimeOffset.UtcNow));
        Assert.Equal("abc", (await requests.GetByIdempotencyKeyAsync(key))!.SerialNumber);

        Assert.True(await requests.TryCompleteAsync(attached));
        var issued = await requests.GetByIdempotencyKeyAsync(key);
        Assert.Equal((RequestStatus.Issued, "abc"), (issued!.Status, issued.SerialNumber));
    }

    [Fact]
    public async Task A_claim_is_released_only_at_the_version_that_was_read()
    {
        var requests = new TableRequestStore(_storage);
        var key = "stale-" + Guid.NewGuid();
        var claim = (await requests.TryStartAsync(new IssuanceRequestRecord("r1", key, "hash", RequestStatus.Pending, DateTimeOffset.UtcNow)))!;
        var read = (await requests.GetByIdempotencyKeyAsync(key))!;
        Assert.NotNull(await requests.TryAttachSerialAsync(claim, "abc", DateTimeOffset.UtcNow));

        Assert.False(await requests.TryReleaseAsync(read));
        Assert.NotNull(await requests.GetByIdempotencyKeyAsync(key));

        Assert.True(await requests.TryReleaseAsync((await requests.GetByIdempotencyKeyAsync(key))!));
        Assert.Null(await requests.GetByIdempotencyKeyAsync(key));
        Assert.False(await requests.TryReleaseAsync(read));
    }

    [Fact]
    public async Task Unkeyed_requests_are_recorded_with_their_status()
    {
        var requests = new TableRequestStore(_storage);
        var at = new DateTimeOffset(2026, 12, 1, 21, 59, 59, TimeSpan.Zero);
        await requests.RecordAsync(new IssuanceRequestRecord("rid-1", null, "hash", RequestStatus.Issued, at, "abc"));
        var table = new TableClient(TestEnvironment.StorageConnectionString, _prefix + TableNames.Requests);

        // In the partition of its hour, so concurrent unkeyed requests share one transaction.
        var entity = (await table.GetEntityAsync<TableEntity>("id-2026120121", "rid-1")).Value;
        Assert.Equal(("Issued", "abc"), (entity.GetString("Status"), entity.GetString("SerialNumber")));
    }
}
