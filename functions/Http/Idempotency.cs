using Microsoft.AspNetCore.Http;

namespace Pki.Functions.Http;

/// <summary>
/// The caller's Idempotency-Key, and how an answer says where what it made is and whether an earlier request with the
/// same key made it (Idempotent-Replayed: true).
/// </summary>
public static class Idempotency
{
    public const string KeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>The request's Idempotency-Key, null when it sends none.</summary>
    public static string? Key(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.TryGetValue(KeyHeader, out var values) ? values.ToString() : null;
    }

    /// <summary>Sets Location to <paramref name="location"/>, and Idempotent-Replayed when <paramref name="replayed"/>.</summary>
    public static void Locate(HttpRequest request, string location, bool replayed)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = request.HttpContext.Response.Headers;
        headers.Location = location;
        if (replayed)
        {
            headers[ReplayedHeader] = "true";
        }
    }
}
