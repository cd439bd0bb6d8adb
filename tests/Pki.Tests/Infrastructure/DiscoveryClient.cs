using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace Pki.Tests.Infrastructure;

/// <summary>Helpers over HttpClient for the discovery and inventory API.</summary>
public static class DiscoveryClient
{
    public static async Task<JsonElement> AddTargetAsync(this HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/api/discovery/targets", body);
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        return json;
    }

    /// <summary>Starts a sweep and polls its progress until every batch is done; <paramref name="diagnostics"/> goes into a failure message.</summary>
    public static async Task<JsonElement> SweepAsync(this HttpClient client, Func<string>? diagnostics = null)
    {
        using var started = await client.PostAsync("/api/discovery/sweeps", null);
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"{(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()} {diagnostics?.Invoke()}");
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var sweep = await client.GetJsonAsync(started.Headers.Location!.ToString(), diagnostics);
            if (sweep.GetProperty("complete").GetBoolean())
            {
                return sweep;
            }

            Assert.True(DateTime.UtcNow < deadline, $"sweep not complete after 120 s: {sweep}");
            await Task.Delay(200);
        }
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path, Func<string>? diagnostics = null)
    {
        using var response = await client.GetAsync(path);
        var json = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {json} {diagnostics?.Invoke()}");
        return json;
    }

    /// <summary>The inventory's key: lowercase hex SHA-256 of the DER.</summary>
    public static string Fingerprint(byte[] der) => Convert.ToHexStringLower(SHA256.HashData(der));
}
