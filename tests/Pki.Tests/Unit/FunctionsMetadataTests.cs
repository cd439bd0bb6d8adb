using System.Text.Json;
using Pki.Core;
using Pki.Functions;
using Pki.Local;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Unit;

/// <summary>The dev host must serve exactly what the Functions host would: same functions, methods, routes, prefix.</summary>
public sealed class FunctionsMetadataTests
{
    [Fact]
    public void Dev_host_routes_equal_the_functions_metadata_the_worker_sdk_generated()
    {
        var metadata = JsonDocument.Parse(File.ReadAllText(FindFunctionsOutput("functions.metadata"))).RootElement;
        var expected = metadata.EnumerateArray()
            .Select(f =>
            {
                var trigger = f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
                var methods = trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()).Order();
                return $"{f.GetProperty("name").GetString()} {string.Join(',', methods)} {trigger.GetProperty("route").GetString()} {trigger.GetProperty("authLevel").GetString()}";
            })
            .Order()
            .ToArray();

        var actual = FunctionRouteTable.Discover(typeof(FunctionsServiceCollectionExtensions).Assembly)
            .Select(r => $"{r.Name} {string.Join(',', r.Methods.Order())} {r.Route} {r.AuthLevel}")
            .Order()
            .ToArray();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Host_json_route_prefix_is_the_one_urls_in_certificates_are_built_with()
    {
        Assert.Equal(Routes.Prefix, HostJson.RoutePrefix(FindFunctionsOutput("host.json")));
        Assert.Equal(Routes.Prefix, HostJson.RoutePrefix(Path.Combine(AppContext.BaseDirectory, "host.json")));
    }

    private static string FindFunctionsOutput(string file)
    {
        var path = RepoPaths.BuildOutput("functions", file);
        Assert.True(File.Exists(path), $"{path} is missing; the Functions Worker SDK writes it when functions/ builds.");
        return path;
    }
}
