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

    /// <summary>Asserts an RFC 9457 problem with the status (and the type slug, if given); disposes the response and returns the problem.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, System.Net.HttpStatusCode expected, string? type = null)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(body).RootElement.Clone();
            Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
            Assert.StartsWith("urn:serverless-pki:problem:", problem.GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
            Assert.True(problem.GetProperty("detail").GetString()!.Length > 10);
            if (type is not null)
            {
                Assert.Equal("urn:serverless-pki:problem:" + type, problem.GetProperty("type").GetString());
            }

            return problem;
        }
    }
}
