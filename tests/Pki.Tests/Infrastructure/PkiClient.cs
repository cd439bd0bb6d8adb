using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pki.Tests.Infrastructure;

/// <summary>Thin helpers over HttpClient for the certificate API.</summary>
public static class PkiClient
{
    public static Task<HttpResponseMessage> RequestAsync(this HttpClient client, string? csr, string profile = "tls-server", string? owner = "alice@corp.internal", int? validityDays = null, string? idempotencyKey = null)
    {
        var body = new JsonObject { ["csr"] = csr, ["profile"] = profile, ["owner"] = owner };
        if (validityDays is not null)
        {
            body["validityDays"] = validityDays;
        }

        var message = new HttpRequestMessage(HttpMethod.Post, "/api/certificates") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            message.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(message);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> IssueAsync(this HttpClient client, string csr, string profile = "tls-server", int? validityDays = null)
    {
        using var response = await client.RequestAsync(csr, profile, validityDays: validityDays);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"expected 201, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
