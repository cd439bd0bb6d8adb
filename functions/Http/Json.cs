using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace Pki.Functions.Http;

/// <summary>One JSON shape for every response, independent of the host's MVC formatter settings.</summary>
public static class Json
{
    public const string ContentType = "application/json";

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // Responses are JSON, never HTML: keep PEM's '+' readable instead of \u002B.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IActionResult Result(object value, int status = 200) => new ContentResult
    {
        StatusCode = status,
        ContentType = ContentType,
        Content = JsonSerializer.Serialize(value, value.GetType(), Options),
    };
}
