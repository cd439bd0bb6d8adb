using System.Text;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Pki.Local;
using Pki.Local.Queues;

namespace Pki.Tests.Local.Queues;

/// <summary>Discovery finds queue functions, binds their parameters as the isolated worker does, and refuses what the dev host cannot run.</summary>
public sealed class QueueFunctionTests
{
    private static readonly DateTimeOffset Inserted = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Queue_functions_are_found_with_their_queue_and_connection()
    {
        var catalog = FunctionCatalog.Discover([typeof(SampleQueues)]);

        Assert.Equal(
            ["RawItems Raw-Items ", "ScanBatch discovery-batches PkiStorage"],
            catalog.Queues.Select(q => $"{q.Name} {q.QueueName} {q.Connection}").Order());
        Assert.Empty(catalog.HttpRoutes);
        Assert.Empty(catalog.Timers);
    }

    [Fact]
    public void The_trigger_binds_as_string_bytes_binary_data_and_queue_message()
    {
        var message = Message("héllo", dequeueCount: 3);

        Assert.Equal("héllo", Assert.Single(Bind(nameof(Shapes.AsString), message)));
        Assert.Equal(Encoding.UTF8.GetBytes("héllo"), Assert.Single(Bind(nameof(Shapes.AsBytes), message)));
        Assert.Equal("héllo", Assert.IsType<BinaryData>(Assert.Single(Bind(nameof(Shapes.AsBinaryData), message))).ToString());
        Assert.Same(message, Assert.Single(Bind(nameof(Shapes.AsQueueMessage), message)));
    }

    [Fact]
    public void Invalid_utf8_becomes_replacement_characters_in_a_string()
    {
        var message = QueuesModelFactory.QueueMessage("id-1", "pop-1", new BinaryData(new byte[] { 0x61, 0xFF, 0x62 }), 1);

        Assert.Equal("a\uFFFDb", Assert.Single(Bind(nameof(Shapes.AsString), message)));
    }

    [Fact]
    public void A_poco_is_read_from_json_with_web_defaults()
    {
        var order = Assert.IsType<ScanOrder>(Assert.Single(Bind(nameof(Shapes.AsPoco), Message("""{"target":"10.0.0.1","Port":"443","tags":["a","b"]}"""))));

        Assert.Equal(("10.0.0.1", 443), (order.Target, order.Port));
        Assert.Equal(["a", "b"], order.Tags);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"target": 5""")]
    [InlineData("""{"port": "many"}""")]
    public void A_body_that_is_not_json_for_the_poco_fails_the_binding_naming_the_parameter(string body)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Bind(nameof(Shapes.AsPoco), Message(body)));

        Assert.Contains("Exception binding parameter 'order'", refused.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ScanOrder), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_metadata_binds_by_parameter_name_and_the_token_is_the_invocations()
    {
        using var cancel = new CancellationTokenSource();
        var message = Message("x", dequeueCount: 4);

        var args = Bind(nameof(Shapes.WithMetadata), message, cancel.Token);

        Assert.Equal(new object?[] { "x", 4L, "id-1", "pop-1", Inserted, Inserted.AddDays(7), Inserted.AddSeconds(30), cancel.Token }, args);
        Assert.Equal(new object?[] { "x", 4 }, Bind(nameof(Shapes.WithIntDequeueCount), message));
    }

    [Fact]
    public void Discovery_reads_any_assembly()
    {
        var catalog = FunctionCatalog.Discover(typeof(SampleQueues).Assembly);

        Assert.Contains(catalog.Queues, q => q.Name == "ScanBatch");
    }

    [Theory]
    [InlineData(typeof(AppSettingQueueName), "'%ScanQueue%'; the dev host takes literal queue names")]
    [InlineData(typeof(ShortQueueName), "3 to 63")]
    [InlineData(typeof(UnderscoreQueueName), "only ASCII letters, digits and hyphens")]
    [InlineData(typeof(TakesFunctionContext), "does not provide a FunctionContext")]
    [InlineData(typeof(UnknownParameter), "Parameter 'caId'")]
    [InlineData(typeof(DequeueCountAsString), "Parameter 'dequeueCount'")]
    [InlineData(typeof(InterfaceTrigger), "not IDisposable")]
    [InlineData(typeof(ObjectTrigger), "not Object")]
    [InlineData(typeof(ReturnsOutput), "must return Task or void")]
    [InlineData(typeof(AsyncVoid), "not async void")]
    public void What_the_dev_host_cannot_run_fails_discovery_with_a_reason(Type type, string reason)
    {
        var refused = Assert.Throws<NotSupportedException>(() => FunctionCatalog.Discover([type]));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    private static object?[] Bind(string method, QueueMessage message, CancellationToken cancellationToken = default)
    {
        var function = FunctionCatalog.Discover([typeof(Shapes)]).Queues.Single(q => q.Method.Name == method);
        return function.BindArguments(message, cancellationToken);
    }

    private static QueueMessage Message(string body, long dequeueCount = 1) =>
        QueuesModelFactory.QueueMessage("id-1", "pop-1", new BinaryData(body), dequeueCount, Inserted.AddSeconds(30), Inserted, Inserted.AddDays(7));

    public sealed record ScanOrder(string Target, int Port, IReadOnlyList<string> Tags);

    private sealed class Shapes
    {
        [Function("AsString")]
        public void AsString([QueueTrigger("q-string")] string message)
        {
        }

        [Function("AsBytes")]
        public void AsBytes([QueueTrigger("q-bytes")] byte[] message)
        {
        }

        [Function("AsBinaryData")]
        public void AsBinaryData([QueueTrigger("q-binary")] BinaryData message)
        {
        }

        [Function("AsQueueMessage")]
        public void AsQueueMessage([QueueTrigger("q-message")] QueueMessage message)
        {
        }

        [Function("AsPoco")]
        public void AsPoco([QueueTrigger("q-poco")] ScanOrder order)
        {
        }

        [Function("WithMetadata")]
        public Task WithMetadata(
            [QueueTrigger("q-metadata")] string message, long dequeueCount, string id, string popReceipt,
            DateTimeOffset insertionTime, DateTimeOffset? expirationTime, DateTimeOffset nextVisibleTime, CancellationToken cancellationToken) => Task.CompletedTask;

        [Function("WithIntDequeueCount")]
        public void WithIntDequeueCount([QueueTrigger("q-int")] string message, int dequeueCount)
        {
        }
    }

    private sealed class AppSettingQueueName
    {
        [Function(nameof(AppSettingQueueName))]
        public void Run([QueueTrigger("%ScanQueue%")] string message)
        {
        }
    }

    private sealed class ShortQueueName
    {
        [Function(nameof(ShortQueueName))]
        public void Run([QueueTrigger("q")] string message)
        {
        }
    }

    private sealed class UnderscoreQueueName
    {
        [Function(nameof(UnderscoreQueueName))]
        public void Run([QueueTrigger("scan_batches")] string message)
        {
        }
    }

    private sealed class TakesFunctionContext
    {
        [Function(nameof(TakesFunctionContext))]
        public void Run([QueueTrigger("work")] string message, FunctionContext context)
        {
        }
    }

    private sealed class UnknownParameter
    {
        [Function(nameof(UnknownParameter))]
        public void Run([QueueTrigger("work")] string message, string caId)
        {
        }
    }

    private sealed class DequeueCountAsString
    {
        [Function(nameof(DequeueCountAsString))]
        public void Run([QueueTrigger("work")] string message, string dequeueCount)
        {
        }
    }

    private sealed class InterfaceTrigger
    {
        [Function(nameof(InterfaceTrigger))]
        public void Run([QueueTrigger("work")] IDisposable message)
        {
        }
    }

    private sealed class ObjectTrigger
    {
        [Function(nameof(ObjectTrigger))]
        public void Run([QueueTrigger("work")] object message)
        {
        }
    }

    private sealed class ReturnsOutput
    {
        [Function(nameof(ReturnsOutput))]
        public Task<string> Run([QueueTrigger("work")] string message) => Task.FromResult(message);
    }

    private sealed class AsyncVoid
    {
        // The Worker SDK's analyzer refuses this shape as well; the dev host must refuse it when the analyzer is not there.
#pragma warning disable AZFW0002
        [Function(nameof(AsyncVoid))]
        public async void Run([QueueTrigger("work")] string message) => await Task.Yield();
#pragma warning restore AZFW0002
    }
}
