using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pki.Core.Events;

/// <summary>
/// One CloudEvents 1.0 event in structured JSON mode (spec: the JSON event format). The id is derived from what
/// happened, not drawn at random, so a retried outbox write or a re-sent publish carries the same id.
/// </summary>
public sealed record CloudEvent(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("data")] LifecycleEventData Data)
{
    public const string SpecVersion = "1.0";

    /// <summary>The media type of one event in structured mode.</summary>
    public const string MediaType = "application/cloudevents+json";

    public const string DataContentType = "application/json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    [JsonPropertyName("specversion")]
    [JsonPropertyOrder(-1)]
    public string SpecVersionAttribute => SpecVersion;

    [JsonPropertyName("datacontenttype")]
    public string DataContentTypeAttribute => DataContentType;

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="FormatException">Not a CloudEvents 1.0 event of ours.</exception>
    public static CloudEvent Parse(string json)
    {
        ArgumentException.ThrowIfNullOrEmpty(json);
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("specversion", out var version) || version.GetString() != SpecVersion)
        {
            throw new FormatException($"Not a CloudEvents {SpecVersion} event: specversion is missing or different.");
        }

        var cloudEvent = document.RootElement.Deserialize<CloudEvent>(Json) ?? throw new FormatException("The event is JSON null.");
        if (string.IsNullOrEmpty(cloudEvent.Id) || string.IsNullOrEmpty(cloudEvent.Source) || string.IsNullOrEmpty(cloudEvent.Type) || cloudEvent.Data is null)
        {
            throw new FormatException("The event lacks one of the attributes id, source, type, or its data.");
        }

        return cloudEvent;
    }
}
