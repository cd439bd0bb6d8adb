using System.Text.Json;
using Pki.Core;
using Pki.Functions;
using Pki.Local;
using Pki.Tests.Infrastructure;
using Pki.Tests.Local.Queues;
using Pki.Tests.Local.Timers;

namespace Pki.Tests.Local;

/// <summary>The dev host must serve exactly what the Functions host would: same functions, methods, routes, prefix, schedules, queues.</summary>
public sealed class FunctionsMetadataTests
{
    private static readonly FunctionCatalog Catalog = FunctionCatalog.Discover(typeof(FunctionsServiceCollectionExtensions).Assembly);

    [Fact]
    public void Dev_host_routes_equal_the_functions_metadata_the_worker_sdk_generated()
    {
        var expected = Triggers(Metadata(), "httpTrigger")
            .Select(t =>
            {
                var methods = t.Binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()).Order();
                return $"{t.Name} {string.Join(',', methods)} {t.Binding.GetProperty("route").GetString()} {t.Binding.GetProperty("authLevel").GetString()}";
            })
            .Order()
            .ToArray();

        var actual = Catalog.HttpRoutes
            .Select(r => $"{r.Name} {string.Join(',', r.Methods.Order())} {r.Route} {r.AuthLevel}")
            .Order()
            .ToArray();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Dev_host_timers_and_schedules_equal_the_functions_metadata_the_worker_sdk_generated()
    {
        // Empty on both sides until functions/ has timer functions; the next test shows the comparison would see them.
        Assert.Equal(MetadataTimers(Metadata()), CatalogTimers(Catalog));
    }

    [Fact]
    public void Timer_comparison_reads_the_timer_bindings_in_the_shape_the_worker_sdk_writes()
    {
        // Copied from the functions.metadata the Worker SDK 2.x wrote for SampleTimers (two entries, as it writes them).
        const string written = """
            [
              {"name": "EveryFiveMinutes", "scriptFile": "Pki.Functions.dll", "entryPoint": "Pki.Tests.Local.Timers.SampleTimers.Run",
               "language": "dotnet-isolated", "properties": {"IsCodeless": false},
               "bindings": [{"name": "timer", "direction": "In", "type": "timerTrigger", "schedule": "0 */5 * * * *", "runOnStartup": true, "properties": {}}]},
              {"name": "EveryTenSeconds", "scriptFile": "Pki.Functions.dll", "entryPoint": "Pki.Tests.Local.Timers.SampleTimers.Run2",
               "language": "dotnet-isolated", "properties": {"IsCodeless": false},
               "bindings": [{"name": "timer", "direction": "In", "type": "timerTrigger", "schedule": "*/10 * * * * *", "properties": {}}]}
            ]
            """;

        var expected = MetadataTimers(JsonDocument.Parse(written).RootElement);
        Assert.Equal(["EveryFiveMinutes 0 */5 * * * * runOnStartup=True", "EveryTenSeconds */10 * * * * * runOnStartup=False"], expected);
        Assert.Equal(expected, CatalogTimers(FunctionCatalog.Discover([typeof(SampleTimers)])));
    }

    [Fact]
    public void Dev_host_queue_triggers_equal_the_functions_metadata_the_worker_sdk_generated()
    {
        var expected = MetadataQueues(Metadata());
        Assert.NotEmpty(expected);
        Assert.Equal(expected, CatalogQueues(Catalog));
    }

    [Fact]
    public void Queue_comparison_reads_the_queue_bindings_in_the_shape_the_worker_sdk_writes()
    {
        // Copied from the functions.metadata the Worker SDK 2.1.0 wrote for SampleQueues (built once inside functions/).
        const string written = """
            [
              {"name": "ScanBatch", "scriptFile": "Pki.Functions.dll", "entryPoint": "Pki.Tests.Local.Queues.SampleQueues.Run",
               "language": "dotnet-isolated", "properties": {"IsCodeless": false},
               "bindings": [{"name": "message", "direction": "In", "type": "queueTrigger", "dataType": "String",
                             "queueName": "discovery-batches", "connection": "PkiStorage", "properties": {}}]},
              {"name": "RawItems", "scriptFile": "Pki.Functions.dll", "entryPoint": "Pki.Tests.Local.Queues.SampleQueues.Run2",
               "language": "dotnet-isolated", "properties": {"IsCodeless": false},
               "bindings": [{"name": "message", "direction": "In", "type": "queueTrigger", "dataType": "Binary",
                             "queueName": "Raw-Items", "properties": {}}]}
            ]
            """;

        var expected = MetadataQueues(JsonDocument.Parse(written).RootElement);
        Assert.Equal(["RawItems Raw-Items connection=", "ScanBatch discovery-batches connection=PkiStorage"], expected);
        Assert.Equal(expected, CatalogQueues(FunctionCatalog.Discover([typeof(SampleQueues)])));
    }

    [Fact]
    public void Every_function_in_the_metadata_has_a_trigger_the_dev_host_serves()
    {
        var metadata = Metadata().EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order();
        var served = Catalog.HttpRoutes.Select(r => r.Name).Concat(Catalog.Timers.Select(t => t.Name)).Concat(Catalog.Queues.Select(q => q.Name)).Order();
        Assert.Equal(metadata, served);
    }

    [Fact]
    public void Host_json_route_prefix_is_the_one_urls_in_certificates_are_built_with()
    {
        Assert.Equal(Routes.Prefix, HostJson.RoutePrefix(FindFunctionsOutput("host.json")));
        Assert.Equal(Routes.Prefix, HostJson.RoutePrefix(Path.Combine(AppContext.BaseDirectory, "host.json")));
    }

    private static string[] MetadataTimers(JsonElement metadata) =>
        Triggers(metadata, "timerTrigger")
            .Select(t =>
            {
                // The SDK writes runOnStartup only when the attribute sets it.
                var runOnStartup = t.Binding.TryGetProperty("runOnStartup", out var value) && value.GetBoolean();
                return $"{t.Name} {t.Binding.GetProperty("schedule").GetString()} runOnStartup={runOnStartup}";
            })
            .Order()
            .ToArray();

    private static string[] CatalogTimers(FunctionCatalog catalog) =>
        catalog.Timers.Select(t => $"{t.Name} {t.Schedule} runOnStartup={t.RunOnStartup}").Order().ToArray();

    private static string[] MetadataQueues(JsonElement metadata) =>
        Triggers(metadata, "queueTrigger")
            .Select(t =>
            {
                // The SDK writes connection only when the attribute sets it.
                var connection = t.Binding.TryGetProperty("connection", out var value) ? value.GetString() : null;
                return $"{t.Name} {t.Binding.GetProperty("queueName").GetString()} connection={connection}";
            })
            .Order()
            .ToArray();

    private static string[] CatalogQueues(FunctionCatalog catalog) =>
        catalog.Queues.Select(q => $"{q.Name} {q.QueueName} connection={q.Connection}").Order().ToArray();

    private static IEnumerable<(string Name, JsonElement Binding)> Triggers(JsonElement metadata, string type) =>
        metadata.EnumerateArray()
            .Select(f => (Name: f.GetProperty("name").GetString()!, Binding: f.GetProperty("bindings").EnumerateArray().SingleOrDefault(b => b.GetProperty("type").GetString() == type)))
            .Where(t => t.Binding.ValueKind != JsonValueKind.Undefined);

    private static JsonElement Metadata() => JsonDocument.Parse(File.ReadAllText(FindFunctionsOutput("functions.metadata"))).RootElement;

    private static string FindFunctionsOutput(string file)
    {
        var path = RepoPaths.BuildOutput("functions", file);
        Assert.True(File.Exists(path), $"{path} is missing; the Functions Worker SDK writes it when functions/ builds.");
        return path;
    }
}
