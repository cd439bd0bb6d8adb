using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pki.Core.Storage;

/// <summary>How the inventory's tables write their JSON columns and location keys; shared so the tables agree.</summary>
internal static class InventoryTableFormat
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    public static T? Deserialize<T>(string? json) => JsonSerializer.Deserialize<T>(json!, Json);

    /// <summary>Locations hold '/' and ':', which keys forbid or make awkward; base64url keeps them exact and reversible.</summary>
    public static string LocationKey(string location) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(location));
}
