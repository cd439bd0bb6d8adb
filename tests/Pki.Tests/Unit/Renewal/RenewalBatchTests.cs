using System.Text.Json;
using Azure.Storage.Queues;
using Pki.Core.Renewal;

namespace Pki.Tests.Unit.Renewal;

public sealed class RenewalBatchTests
{
    [Fact]
    public void A_full_batch_fits_a_queue_message_with_room_to_spare()
    {
        // As QueueStorage sends it: web JSON, base64-encoded. Serials issued here are 32 hex digits; 64 is the most any has.
        static int Encoded(int digits) => Convert.ToBase64String(BinaryData.FromObjectAsJson(
            new RenewalBatch("20261101", [.. Enumerable.Repeat(new string('f', digits), RenewalBatch.MaxSerials)]), new JsonSerializerOptions(JsonSerializerDefaults.Web)).ToArray()).Length;

        var limit = new QueueClient(new Uri("http://127.0.0.1:1/devstoreaccount1/q")).MessageMaxBytes;
        Assert.Equal(64 * 1024, limit);
        Assert.True(Encoded(32) < limit / 3, $"{Encoded(32)} bytes");
        Assert.True(Encoded(64) < limit * 0.6, $"{Encoded(64)} bytes");
    }
}
