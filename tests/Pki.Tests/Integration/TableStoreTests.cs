using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration;

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

        Assert.True(await store.TryReserveAsync(Record(serial, notAfter)));
        Assert.False(await store.TryReserveAsync(Record(serial, notAfter) with { Owner = "mallory" }));
        var reserved = await store.GetAsync(serial);
        Assert.Equal(CertificateStatus.Issuing, reserved!.Status);
        Assert.Equal("alice", reserved.Owner);
        Assert.Null(reserved.CertificateDer);
        Assert.Null(await store.GetAsync("ffff"));
    }

    [Fact]
    public async Task Issued_certificate_is_indexed_under_its_expiry_day()
    {
        var store = new TableCertificateStore(_storage);
        var serial = SerialNumbers.ToHex(SerialNumbers.New());
        var notAfter = new DateTimeOffset(2027, 1, 13, 23, 59, 59, TimeSpan.Zero);
        await store.TryReserveAsync(Record(serial, notAfter));

        await store.MarkIssuedAsync(Record(serial, notAfter) with { Status = CertificateStatus.Issued, CertificateDer = [1, 2, 3], IssuedAt = notAfter.AddDays(-47) });

        var issued = await store.GetAsync(serial);
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
    public async Task Idempotency_key_is_claimed_once_completed_and_released_on_failure()
    {
        var requests = new TableRequestStore(_storage);
        var key = "key/with#chars?" + Guid.NewGuid();
        var record = new IssuanceRequestRecord("r1", key, "hash", RequestStatus.Pending, DateTimeOffset.UtcNow);

        Assert.True(await requests.TryStartAsync(record));
        Assert.False(await requests.TryStartAsync(record with { RequestId = "r2" }));
        var pending = await requests.GetByIdempotencyKeyAsync(key);
        Assert.Equal(("r1", RequestStatus.Pending, (string?)null), (pending!.RequestId, pending.Status, pending.SerialNumber));

        await requests.AttachSerialAsync(key, "abc");
        Assert.Equal("abc", (await requests.GetByIdempotencyKeyAsync(key))!.SerialNumber);
        await requests.RecordAsync(record with { Status = RequestStatus.Issued, SerialNumber = "abc" });
        var issued = await requests.GetByIdempotencyKeyAsync(key);
        Assert.Equal((RequestStatus.Issued, "abc"), (issued!.Status, issued.SerialNumber));

        var other = "other-" + Guid.NewGuid();
        Assert.True(await requests.TryStartAsync(record with { IdempotencyKey = other }));
        await requests.AbandonAsync(other);
        Assert.Null(await requests.GetByIdempotencyKeyAsync(other));
    }

    [Fact]
    public async Task A_stale_claim_is_released_only_at_the_version_that_was_read()
    {
        var requests = new TableRequestStore(_storage);
        var key = "stale-" + Guid.NewGuid();
        await requests.TryStartAsync(new IssuanceRequestRecord("r1", key, "hash", RequestStatus.Pending, DateTimeOffset.UtcNow));
        var read = (await requests.GetByIdempotencyKeyAsync(key))!;

        // Someone moved the claim on after we read it: our release must not remove their record.
        await requests.AttachSerialAsync(key, "abc");
        Assert.False(await requests.TryReleaseStaleAsync(read));
        Assert.NotNull(await requests.GetByIdempotencyKeyAsync(key));

        Assert.True(await requests.TryReleaseStaleAsync((await requests.GetByIdempotencyKeyAsync(key))!));
        Assert.Null(await requests.GetByIdempotencyKeyAsync(key));
        Assert.False(await requests.TryReleaseStaleAsync(read));
    }
}
