using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Renewal;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Renewal;

/// <summary>The fan-out of a renewal batch against Azurite's queues and Table service, with a fake clock.</summary>
public sealed class RenewalFanOutTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly IOptions<PkiOptions> _options;
    private readonly TableCertificateStore _store;
    private readonly RenewalFanOut _fanOut;

    public RenewalFanOutTests()
    {
        _options = Options.Create(new PkiOptions
        {
            Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = TestEnvironment.UniqueId("f") },
        });
        _store = new TableCertificateStore(new TableStorage(_options));
        _fanOut = new RenewalFanOut(new StorageRenewalQueue(new QueueStorage(_options)), _store, NullLogger<RenewalFanOut>.Instance);
    }

    [Fact]
    public async Task A_batch_fans_out_into_one_renewal_message_per_serial()
    {
        var serials = Enumerable.Range(0, 40).Select(_ => SerialNumbers.ToHex(SerialNumbers.New())).ToList();

        Assert.Equal(serials.Count, await _fanOut.FanOutAsync(new RenewalBatch("20261101", serials)));

        var messages = await ReceiveAllAsync(QueueNames.Renewals);
        Assert.Equal(serials.Order(), messages.Select(m => JsonSerializer.Deserialize<RenewalMessage>(m, Json)!.SerialNumber!).Order());
        Assert.All(messages, m => Assert.Equal(["serialNumber"], JsonDocument.Parse(m).RootElement.EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public async Task A_redelivered_batch_sends_nothing_for_certificates_already_renewed()
    {
        var serials = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            serials.Add(await IssueAsync());
        }

        var batch = new RenewalBatch("20261101", serials);
        Assert.Equal(3, await _fanOut.FanOutAsync(batch));
        Assert.Equal(3, (await ReceiveAllAsync(QueueNames.Renewals)).Count);

        // Two of the three were renewed before the batch came back (a host died before deleting it).
        Assert.NotNull(await _store.TryLinkSuccessorAsync(serials[0], SerialNumbers.ToHex(SerialNumbers.New())));
        Assert.NotNull(await _store.TryLinkSuccessorAsync(serials[1], SerialNumbers.ToHex(SerialNumbers.New())));
        Assert.Equal(1, await _fanOut.FanOutAsync(batch, dequeueCount: 2));
        Assert.Equal([serials[2]], (await ReceiveAllAsync(QueueNames.Renewals)).Select(m => JsonSerializer.Deserialize<RenewalMessage>(m, Json)!.SerialNumber));

        // Once all are renewed, a batch delivered again puts nothing on the queue.
        Assert.NotNull(await _store.TryLinkSuccessorAsync(serials[2], SerialNumbers.ToHex(SerialNumbers.New())));
        Assert.Equal(0, await _fanOut.FanOutAsync(batch, dequeueCount: 3));
        Assert.Empty(await ReceiveAllAsync(QueueNames.Renewals));
    }

    [Fact]
    public async Task A_serial_that_is_not_one_is_passed_on_so_the_renewer_fails_it_alone()
    {
        var good = await IssueAsync();
        Assert.Equal(2, await _fanOut.FanOutAsync(new RenewalBatch("20261101", [good, "not hex"]), dequeueCount: 2));
        Assert.Equal(new[] { good, "not hex" }.Order(), (await ReceiveAllAsync(QueueNames.Renewals)).Select(m => JsonSerializer.Deserialize<RenewalMessage>(m, Json)!.SerialNumber).Order());
    }

    [Fact]
    public async Task A_batch_without_serials_fails_so_the_queue_retries_and_then_poisons_it()
    {
        var refused = await Assert.ThrowsAsync<FormatException>(() => _fanOut.FanOutAsync(new RenewalBatch("20261101", null)));
        Assert.Contains("serialNumbers", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, await _fanOut.FanOutAsync(new RenewalBatch("20261101", [])));
    }

    /// <summary>Issues (in storage only) a certificate at the fake clock's now.</summary>
    private async Task<string> IssueAsync()
    {
        var serial = SerialNumbers.ToHex(SerialNumbers.New());
        var now = _time.GetUtcNow();
        var record = new CertificateRecord(serial, "issuing", CertificateStatus.Issuing, ProfileNames.TlsServer, "alice", "CN=a.internal", now, now.AddDays(30), "req", now);
        var reserved = await _store.TryReserveAsync(record);
        var issued = record with { Status = CertificateStatus.Issued, CertificateDer = [1], IssuedAt = now };
        Assert.True(await _store.TryMarkIssuedAsync(issued, reserved!));
        await _store.IndexAsync(issued);
        await new RenewalIndexer(new TableRenewalIndex(new TableStorage(_options)), _options).OnIssuedAsync(issued);
        return serial;
    }

    /// <summary>Receives and deletes every message of one of this test's queues, as the bodies' JSON text.</summary>
    private async Task<List<string>> ReceiveAllAsync(string queue)
    {
        var client = new QueueClient(TestEnvironment.StorageConnectionString, QueueNames.Resolve(_options.Value.Storage.TablePrefix, queue),
            new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var bodies = new List<string>();
        while ((await client.ReceiveMessagesAsync(32)).Value is { Length: > 0 } received)
        {
            foreach (var message in received)
            {
                bodies.Add(message.Body.ToString());
                await client.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        return bodies;
    }
}
