using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Pki.Local;

/// <summary>Reads the settings of host.json that change how functions are served.</summary>
public static class HostJson
{
    public const string DefaultRoutePrefix = "api";

    /// <summary>The configuration section whose keys override host.json's (AzureFunctionsJobHost__extensions__queues__batchSize).</summary>
    public const string AppSettingOverrides = "AzureFunctionsJobHost";

    public static string RoutePrefix(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path));
        return root?["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() ?? DefaultRoutePrefix;
    }

    /// <summary>host.json as configuration, bound the way the host binds its sections: keys in any case, TimeSpans as "hh:mm:ss".</summary>
    public static IConfiguration Configuration(string path) =>
        new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false).Build();
}
