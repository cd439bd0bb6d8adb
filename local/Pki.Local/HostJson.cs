using System.Text.Json.Nodes;

namespace Pki.Local;

/// <summary>Reads the settings of host.json that change how functions are served.</summary>
public static class HostJson
{
    public const string DefaultRoutePrefix = "api";

    public static string RoutePrefix(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path));
        return root?["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() ?? DefaultRoutePrefix;
    }
}
