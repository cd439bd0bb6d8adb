using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Pki.Functions.Http;

/// <summary>
/// The dashboard's files, built from functions/Dashboard (see its README section) and embedded in this assembly, so the
/// Function App serves them itself: no CDN, nothing fetched from elsewhere, works offline.
/// </summary>
public static class DashboardAssets
{
    public const string ResourcePrefix = "dashboard/";
    public const string Page = "index.html";

    /// <summary>
    /// Only this app's own script, styles and API: no inline script or style, no eval, no other origin, no framing,
    /// no form posting elsewhere, no plugins.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    public static IReadOnlyCollection<string> Names => Assets.Keys;

    /// <summary>The asset named, or null for a name that is none of them (a path is never resolved against a folder).</summary>
    public static Asset? Find(string? name) => Assets.GetValueOrDefault(string.IsNullOrEmpty(name) ? Page : name);

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var name = resource[ResourcePrefix.Length..];
            assets[name] = new Asset(name, bytes, ContentType(name), Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    /// <summary>One file: its bytes, media type and a content hash for its ETag.</summary>
    public sealed record Asset(string Name, byte[] Content, string ContentType, string Hash);
}
